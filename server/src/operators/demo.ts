import type { OperatorRole } from '@stille-lijn/shared';
import { AppError } from '@stille-lijn/shared/errors';
import { generatePassword } from '../auth/password.ts';
import type { OperatorStore } from './store.ts';

/** A demo account and the one-time password it got on this start. */
export interface DemoCredential {
  username: string;
  password: string;
  role: OperatorRole;
}

/** The demo accounts created outside production. */
export const DEMO_OPERATORS: readonly { username: string; displayName: string; role: OperatorRole }[] = [
  { username: 'demo', displayName: 'Demo-hulpverlener', role: 'operator' },
  { username: 'demo-supervisor', displayName: 'Demo-supervisor', role: 'supervisor' },
];

/**
 * Outside production, makes sure the demo accounts `demo` (operator) and
 * `demo-supervisor` (supervisor) exist and are enabled, and gives each a fresh
 * generated one-time password, so every `npm start` can print a usable one. Resetting a
 * password ends that account's sessions. In production it does nothing.
 * @example
 * for (const c of await ensureDemoOperator(app)) console.log(`${c.username}: ${c.password}`);
 * @returns the credentials to print; empty in production
 */
export async function ensureDemoOperator(deps: {
  operators: OperatorStore;
  config: { isProduction: boolean };
  /** Version 2: with a LINES_FILE, one demo operator per line (`demo-<line>`) is made too. */
  lines?: { configured: boolean; all: readonly { id: string; name: string }[] };
}): Promise<DemoCredential[]> {
  if (deps.config.isProduction) return [];
  const out: DemoCredential[] = [];
  const perLine = deps.lines?.configured
    ? deps.lines.all.map((l) => ({
        username: `demo-${l.id}`.slice(0, 64),
        displayName: `Demo ${l.name}`.slice(0, 80),
        role: 'operator' as const,
        lines: [l.id],
      }))
    : [];
  for (const demo of [...DEMO_OPERATORS, ...perLine]) {
    const password = generatePassword();
    let account = await deps.operators.getByUsername(demo.username);
    if (!account) {
      try {
        account = await deps.operators.create({ ...demo, password, oneTime: true });
      } catch (err) {
        // Another process created it at the same moment: fall through to a reset.
        if (!(err instanceof AppError && err.code === 'conflict')) throw err;
        account = await deps.operators.getByUsername(demo.username);
        if (!account) throw err;
        await deps.operators.resetPassword(account.id, password);
      }
    } else {
      await deps.operators.resetPassword(account.id, password);
    }
    if (account.disabled) await deps.operators.enable(account.id);
    out.push({ username: demo.username, password, role: account.role });
  }
  return out;
}
