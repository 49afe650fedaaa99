/**
 * Set while a console of this browser is locked, so that a reload or a new tab starts
 * locked too: the session cookie still works there, and the next person at the desk must
 * not get the workspace back by pressing F5. It holds a flag only, never anything of a
 * conversation; a sign-in with a password (or a sign-out) removes it, and `AWAY_KEY` with it.
 */
export const LOCK_KEY = 'stille-lijn.console.locked';

/**
 * Beside the lock flag: the id of the operator the lock set away (available before), so that
 * a reload or a new tab of theirs sets them available again at the unlock. Another
 * operator's console ignores it. Removed with the flag.
 */
export const AWAY_KEY = 'stille-lijn.console.away-for-lock';

/**
 * Beside `AWAY_KEY` while the lock's "away" has not gone through (offline, or answered "not
 * now"): the operator's id, so that a reload or a new tab of theirs, still locked, sends it
 * at its connect. Without it a reloaded page would leave an empty desk available. Removed
 * once the away goes through, and with the flag.
 */
export const AWAY_PENDING_KEY = 'stille-lijn.console.away-for-lock.pending';

export function readLockMarker(): boolean {
  try {
    return localStorage.getItem(LOCK_KEY) === '1';
  } catch {
    return false;
  }
}

export function writeLockMarker(locked: boolean): void {
  try {
    if (locked) localStorage.setItem(LOCK_KEY, '1');
    else {
      localStorage.removeItem(LOCK_KEY);
      localStorage.removeItem(AWAY_KEY);
      localStorage.removeItem(AWAY_PENDING_KEY);
    }
  } catch {
    // A browser that refuses storage keeps the lock in this page only.
  }
}

/** The operator the lock set away, if any (`AWAY_KEY`). */
export function readAwayForLock(): string | undefined {
  try {
    return localStorage.getItem(AWAY_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

/** `AWAY_KEY`, and `AWAY_PENDING_KEY` while `pending` (the away not through yet). */
export function writeAwayForLock(operatorId: string, pending: boolean): void {
  try {
    localStorage.setItem(AWAY_KEY, operatorId);
    if (pending) localStorage.setItem(AWAY_PENDING_KEY, operatorId);
    else localStorage.removeItem(AWAY_PENDING_KEY);
  } catch {
    // Then only this page knows, as before a reload.
  }
}

/** The operator whose lock's away has not gone through yet, if any (`AWAY_PENDING_KEY`). */
export function readAwayPending(): string | undefined {
  try {
    return localStorage.getItem(AWAY_PENDING_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

/** The other console tabs of this browser: input there counts here, and a lock locks them all. */
export const LOCK_CHANNEL = 'stille-lijn.console.lock';

export type LockNote = { kind: 'input' } | { kind: 'lock' } | { kind: 'unlock' };

export function isLockNote(data: unknown): data is LockNote {
  if (typeof data !== 'object' || data === null) return false;
  const kind = (data as { kind?: unknown }).kind;
  return kind === 'input' || kind === 'lock' || kind === 'unlock';
}
