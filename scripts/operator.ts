/**
 * Operator accounts from the command line: `npm run operator -- <command>`.
 * Reads REDIS_URL (or REDIS_SENTINELS), REDIS_PREFIX and DATA_KEY / DATA_KEY_FILE like the server does.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { type OperatorRole, operatorRoleSchema } from '@stille-lijn/shared';
import { AppError } from '@stille-lijn/shared/errors';
import { generatePassword } from '../server/src/auth/password.ts';
import { generateTotpSecret, totpUri } from '../server/src/auth/totp.ts';
import type { OperatorAccount } from '../server/src/auth/types.ts';
import { ConfigError, loadConfig } from '../server/src/config.ts';
import { DataCipher } from '../server/src/crypto/cipher.ts';
import { resolveCipherKeys } from '../server/src/crypto/data-keys.ts';
import { loadLines } from '../server/src/lines/registry.ts';
import { OperatorStore } from '../server/src/operators/store.ts';
import { connectForCli } from '../server/src/redis/connect.ts';

const HELP = `Usage: npm run operator -- <command> [options]

Commands:
  add <username>              Create an account.
      --role <role>           operator | supervisor | admin (default: operator)
      --name <display name>   The name colleagues and visitors see (default: the username)
      --languages <list>      Languages answered, e.g. nl,en,ar (default: nl,en)
      --lines <list>          Lines of LINES_FILE the account belongs to, e.g. utrecht,night;
                              '*' for every line (default: the first line; admins: all)
  list                        Show every account. TOTP "locked": wrong codes locked its
                              sign-in; reset-password (or totp) lifts the lock.
  disable <username>          Disable an account and end all its sessions.
  enable <username>           Enable a disabled account.
  reset-password <username>   Set a new password and end all sessions.
  totp <username>             Turn on TOTP; prints the otpauth:// URI and secret once.
      --off                   Turn TOTP off instead.
  set-role <username> <role>  Change the role.
  set-languages <username> <list>
                              Change the languages, e.g. nl,en.
  set-lines <username> <list> Change the lines, e.g. utrecht,night or '*'; the
                              account's open consoles reconnect with the new lines.

Passwords (add, reset-password): when stdin is not a terminal, the first line of
stdin is the password (at least 12 characters). Otherwise, or with --generate, a
password is generated and printed once. Either is a one-time password: it stops
working after ONE_TIME_PASSWORD_HOURS (default 72) unless its owner chooses their
own in the console.

Environment: REDIS_URL or REDIS_SENTINELS (and REDIS_SENTINEL_NAME), REDIS_PREFIX, DATA_KEY or DATA_KEY_FILE, LINES_FILE (as for the server).
Exit codes: 0 done, 1 failed, 2 wrong usage.`;

class UsageError extends Error {}

const commands: Record<string, { args: number; options: string[] }> = {
  add: { args: 1, options: ['role', 'name', 'languages', 'lines', 'generate'] },
  list: { args: 0, options: [] },
  disable: { args: 1, options: [] },
  enable: { args: 1, options: [] },
  'reset-password': { args: 1, options: ['generate'] },
  totp: { args: 1, options: ['off'] },
  'set-role': { args: 2, options: [] },
  'set-languages': { args: 2, options: [] },
  'set-lines': { args: 2, options: [] },
};

function parseRoleArg(value: string): OperatorRole {
  const parsed = operatorRoleSchema.safeParse(value);
  if (!parsed.success) throw new UsageError('the role must be operator, supervisor or admin');
  return parsed.data;
}

function parseLanguagesArg(value: string): string[] {
  return value
    .split(',')
    .map((l) => l.trim())
    .filter(Boolean);
}

/** The first line of a piped stdin (without its line ending). */
async function readPasswordFromStdin(): Promise<string> {
  const rl = createInterface({ input: process.stdin, terminal: false });
  try {
    for await (const line of rl) {
      if (line.length === 0) break;
      return line;
    }
  } finally {
    rl.close();
  }
  throw new UsageError(
    'stdin is not a terminal but its first line is empty; pipe a password or use --generate',
  );
}

async function choosePassword(generate: boolean): Promise<{ password: string; generated: boolean }> {
  if (generate || process.stdin.isTTY) return { password: generatePassword(), generated: true };
  return { password: await readPasswordFromStdin(), generated: false };
}

/**
 * The accounts, one a line; TOTP says `locked` where wrong codes locked the account's TOTP
 * step (its sign-ins fail like a forgotten password), and a line below names the remedy.
 */
function printTable(accounts: OperatorAccount[], totpLocked: ReadonlySet<string>, firstLine: string): void {
  if (accounts.length === 0) {
    console.log('No operators.');
    return;
  }
  const rows = [
    ['USERNAME', 'ROLE', 'STATUS', 'TOTP', 'LANGUAGES', 'LINES', 'NAME'],
    ...accounts.map((a) => [
      a.username,
      a.role,
      a.disabled ? 'disabled' : 'enabled',
      totpLocked.has(a.id) ? 'locked' : a.totpEnabled ? 'on' : 'off',
      a.languages.join(','),
      a.role === 'admin' ? '*' : (a.lines ?? [firstLine]).join(','),
      a.displayName,
    ]),
  ];
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length)));
  for (const row of rows) {
    console.log(
      row
        .map((cell, col) => (col === row.length - 1 ? cell : cell.padEnd(widths[col] ?? 0)))
        .join('  ')
        .trimEnd(),
    );
  }
  const locked = accounts.filter((a) => totpLocked.has(a.id));
  if (locked.length > 0) console.log('');
  for (const a of locked) {
    console.log(
      `${a.username}: TOTP locked by wrong codes; every sign-in fails until an admin runs ` +
        `npm run operator -- reset-password ${a.username} (or totp ${a.username}: a new secret).`,
    );
  }
}

async function run(argv: string[]): Promise<void> {
  let parsed: ReturnType<typeof parseCli>;
  try {
    parsed = parseCli(argv);
  } catch (err) {
    // parseArgs explains at length; its first sentence is the useful part.
    const message = err instanceof Error ? (err.message.split('. ')[0] ?? err.message) : String(err);
    throw err instanceof UsageError ? err : new UsageError(message.replace(/\.$/, ''));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(HELP);
    return;
  }
  if (positionals.length === 0) {
    console.error(HELP);
    process.exitCode = 2;
    return;
  }
  const [command = '', ...args] = positionals;
  const spec = commands[command];
  if (!spec) throw new UsageError(`unknown command "${command}"`);
  if (args.length !== spec.args) {
    throw new UsageError(`${command} takes ${spec.args === 0 ? 'no arguments' : `${spec.args} argument(s)`}`);
  }
  for (const name of Object.keys(values)) {
    if (name !== 'help' && !spec.options.includes(name))
      throw new UsageError(`--${name} does not apply to ${command}`);
  }
  const role = values.role === undefined ? undefined : parseRoleArg(values.role);
  const newRole = command === 'set-role' ? parseRoleArg(args[1] ?? '') : undefined;

  const config = loadConfig(process.env);
  // Line ids are checked against LINES_FILE, as the server checks them.
  const lines = loadLines(config);
  const linesArg = (value: string): string[] => {
    const ids = value
      .split(',')
      .map((l) => l.trim())
      .filter(Boolean);
    const unknown = lines.unknownIds(ids);
    if (unknown.length > 0) {
      throw new UsageError(
        `unknown line(s): ${unknown.join(', ')} (lines: ${lines.all.map((l) => l.id).join(', ')})`,
      );
    }
    return ids;
  };
  const newLines =
    command === 'set-lines'
      ? linesArg(args[1] ?? '')
      : values.lines === undefined
        ? undefined
        : linesArg(values.lines);
  const redis = await connectForCli(config);
  const store = new OperatorStore({
    redis,
    prefix: config.redisPrefix,
    cipher: await DataCipher.create(await resolveCipherKeys(config)),
  });
  const find = async (username: string): Promise<OperatorAccount> => {
    const account = await store.getByUsername(username);
    if (!account) throw new Error(`no operator named "${username}"`);
    return account;
  };
  try {
    const username = args[0] ?? '';
    switch (command) {
      case 'add': {
        const { password, generated } = await choosePassword(values.generate === true);
        // Not chosen by its owner, piped or generated: one-time.
        const account = await store.create({
          username,
          password,
          oneTime: true,
          ...(role ? { role } : {}),
          ...(values.name !== undefined ? { displayName: values.name } : {}),
          ...(values.languages !== undefined ? { languages: parseLanguagesArg(values.languages) } : {}),
          ...(newLines ? { lines: newLines } : {}),
        });
        console.log(`Created ${account.role} ${account.username} (${account.languages.join(',')}).`);
        if (generated) console.log(`Password (shown once): ${password}`);
        if (account.role !== 'operator') {
          console.log(
            `Supervisors and admins need TOTP in production: npm run operator -- totp ${account.username}`,
          );
        }
        break;
      }
      case 'list': {
        const accounts = await store.list();
        printTable(accounts, await store.totpLocked(accounts.map((a) => a.id)), lines.first.id);
        break;
      }
      case 'disable': {
        const account = await find(username);
        const ended = await store.disable(account.id);
        console.log(`Disabled ${account.username}; ended ${ended} session(s).`);
        break;
      }
      case 'enable': {
        const account = await find(username);
        await store.enable(account.id);
        console.log(`Enabled ${account.username}.`);
        break;
      }
      case 'reset-password': {
        const account = await find(username);
        const { password, generated } = await choosePassword(values.generate === true);
        const ended = await store.resetPassword(account.id, password);
        console.log(`Changed the password of ${account.username}; ended ${ended} session(s).`);
        if (generated) console.log(`Password (shown once): ${password}`);
        break;
      }
      case 'totp': {
        const account = await find(username);
        if (values.off) {
          await store.clearTotp(account.id);
          console.log(`TOTP is off for ${account.username}.`);
          break;
        }
        const secret = generateTotpSecret();
        await store.setTotpSecret(account.id, secret);
        console.log(
          `TOTP is on for ${account.username}${account.totpEnabled ? ' (the old secret no longer works)' : ''}.`,
        );
        console.log('Add it to an authenticator app (shown once):');
        console.log(`URI: ${totpUri(secret, account.username)}`);
        console.log(`Secret: ${secret}`);
        break;
      }
      case 'set-role': {
        const account = await find(username);
        if (!newRole) break;
        await store.setRole(account.id, newRole);
        console.log(`${account.username} is now ${newRole}.`);
        break;
      }
      case 'set-languages': {
        const account = await find(username);
        await store.setLanguages(account.id, parseLanguagesArg(args[1] ?? ''));
        console.log(`Changed the languages of ${account.username}.`);
        break;
      }
      case 'set-lines': {
        const account = await find(username);
        if (!newLines) break;
        await store.setLines(account.id, newLines);
        console.log(`Changed the lines of ${account.username} to ${newLines.join(',')}.`);
        break;
      }
    }
  } finally {
    await store.close();
    await redis.quit().catch(() => redis.disconnect());
  }
}

function parseCli(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      role: { type: 'string' },
      name: { type: 'string' },
      languages: { type: 'string' },
      lines: { type: 'string' },
      generate: { type: 'boolean' },
      off: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

try {
  await run(process.argv.slice(2));
} catch (err) {
  if (err instanceof UsageError) {
    console.error(`operator: ${err.message}. Run with --help for usage.`);
    process.exitCode = 2;
  } else if (err instanceof ConfigError) {
    console.error(`operator: invalid configuration: ${err.lines.join('; ')}`);
    process.exitCode = 1;
  } else {
    const message = err instanceof AppError || err instanceof Error ? err.message : String(err);
    console.error(`operator: ${message.replace(/\.$/, '')}.`);
    process.exitCode = 1;
  }
}
