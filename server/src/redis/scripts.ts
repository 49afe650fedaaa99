import { readFileSync } from 'node:fs';
import type { ChainableCommander, Redis } from 'ioredis';

/** The folder of the Lua helpers that scripts include with `--- @include "name"`. */
const INCLUDES = new URL('./lua/', import.meta.url);

/** A name of KEYS or ARGV; `...name` (last only) takes a list of any length. */
type Slot = string;
type Fixed<S extends readonly Slot[]> = Exclude<S[number], `...${string}`>;
type RestOf<T> = T extends `...${infer R}` ? R : never;
type Rest<S extends readonly Slot[]> = RestOf<Extract<S[number], `...${string}`>>;
/** The values for a script's KEYS or ARGV, by name; a rest slot takes an array. */
export type SlotValues<S extends readonly Slot[]> = { [K in Fixed<S>]: string | number } & {
  [K in Rest<S>]: (string | number)[];
};

/**
 * One Lua script, as BullMQ writes them: its own `.lua` file with a header listing KEYS,
 * ARGV and the reply, helpers by include, every key passed in KEYS, and a typed decoder
 * for the reply.
 */
export interface LuaScript<K extends readonly Slot[], A extends readonly Slot[], R> {
  readonly name: string;
  readonly keys: K;
  readonly args: A;
  /** The source with includes resolved. */
  readonly lua: string;
  /** The file, for the header checks. */
  readonly file: URL;
  decode(reply: unknown): R;
}

/** Reads a script and resolves `--- @include "name"` lines from `redis/lua/<name>.lua`, once each. */
export function readLua(file: URL, seen = new Set<string>()): string {
  return readFileSync(file, 'utf8').replace(/^--- @include "([a-z0-9-]+)"\s*$/gm, (_, name: string) => {
    if (seen.has(name)) return '';
    seen.add(name);
    return readLua(new URL(`${name}.lua`, INCLUDES), seen);
  });
}

/**
 * Declares a script. `file` is its `.lua` file; `keys` and `args` name KEYS and ARGV in
 * order, as its header does (a test holds the two together).
 * @example
 * export const endScript = luaScript({
 *   file: new URL('./end.lua', import.meta.url),
 *   keys: ['conversation', 'active'],
 *   args: ['now', 'reason'],
 *   decode: (r) => r as string[],
 * });
 */
export function luaScript<const K extends readonly Slot[], const A extends readonly Slot[], R>(opts: {
  file: URL;
  keys: K;
  args: A;
  decode: (reply: unknown) => R;
}): LuaScript<K, A, R> {
  // The feature folder and the file: `reports/lua/requeue.lua` is `reports-requeue`.
  const parts = opts.file.pathname.split('/').filter((p) => p !== 'lua');
  const name = `${parts.at(-2)}-${parts.at(-1)!.replace(/\.lua$/, '')}`;
  return {
    name,
    keys: opts.keys,
    args: opts.args,
    lua: readLua(opts.file),
    file: opts.file,
    decode: opts.decode,
  };
}

function flatten(slots: readonly Slot[], values: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const slot of slots) {
    if (slot.startsWith('...')) {
      for (const v of values[slot.slice(3)] as (string | number)[]) out.push(String(v));
    } else {
      const v = values[slot];
      if (v === undefined) throw new Error(`missing value for ${slot}`);
      out.push(String(v));
    }
  }
  return out;
}

const defined = new WeakMap<object, Set<string>>();
const sources = new Map<string, string>();

/** The command name of each script, made once (it is asked for on every message). */
const commandNames = new Map<string, string>();
const commandName = (script: { name: string }) => {
  let command = commandNames.get(script.name);
  if (command === undefined) {
    command = `sl_${script.name.replace(/-/g, '_')}`;
    commandNames.set(script.name, command);
  }
  return command;
};

/** The command a prepared script runs as on a connection (EVALSHA, loaded on first use). */
function commandFor(redis: Redis, script: LuaScript<readonly Slot[], readonly Slot[], unknown>): string {
  const command = commandName(script);
  if (!defined.get(redis)?.has(command))
    throw new Error(`script ${script.name} is not prepared on this connection`);
  return command;
}

/**
 * Runs a script on a connection and decodes its reply.
 * @example await runScript(redis, endScript, { conversation: k, active: a }, { now: Date.now(), reason: 'visitor' })
 */
export async function runScript<K extends readonly Slot[], A extends readonly Slot[], R>(
  redis: Redis,
  script: LuaScript<K, A, R>,
  keys: SlotValues<K>,
  args: SlotValues<A>,
): Promise<R> {
  const k = flatten(script.keys, keys as Record<string, unknown>);
  const a = flatten(script.args, args as Record<string, unknown>);
  const command = commandFor(redis, script as LuaScript<readonly Slot[], readonly Slot[], unknown>);
  const fn = (redis as unknown as Record<string, (...x: (string | number)[]) => Promise<unknown>>)[command]!;
  return script.decode(await fn.call(redis, k.length, ...k, ...a));
}

/** Queues a script on a pipeline or transaction (the script must be registered on `redis` first). */
export function queueScript<K extends readonly Slot[], A extends readonly Slot[], R>(
  redis: Redis,
  pipe: ChainableCommander,
  script: LuaScript<K, A, R>,
  keys: SlotValues<K>,
  args: SlotValues<A>,
): void {
  const k = flatten(script.keys, keys as Record<string, unknown>);
  const a = flatten(script.args, args as Record<string, unknown>);
  const command = commandFor(redis, script as LuaScript<readonly Slot[], readonly Slot[], unknown>);
  (pipe as unknown as Record<string, (...x: (string | number)[]) => unknown>)[command]!(k.length, ...k, ...a);
}

/**
 * Registers scripts on a connection up front. Every service does so in its constructor:
 * ioredis' auto-pipelining copies the scripts a connection knows into each pipeline it
 * makes, so a script defined while a pipeline is open could not be loaded by it.
 */
export function prepareScripts(
  redis: Redis,
  scripts: readonly LuaScript<readonly Slot[], readonly Slot[], unknown>[],
): void {
  let set = defined.get(redis);
  if (!set) {
    set = new Set();
    defined.set(redis, set);
  }
  for (const s of scripts) {
    const command = commandName(s);
    if (set.has(command)) {
      if (sources.get(command) !== s.lua) throw new Error(`two scripts are called ${s.name}`);
      continue;
    }
    sources.set(command, s.lua);
    // No numberOfKeys: the count is passed on each call, so lists of keys can vary.
    redis.defineCommand(command, { lua: s.lua });
    set.add(command);
  }
}
