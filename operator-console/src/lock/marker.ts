/**
 * Set while a console of this browser is locked, so that a reload or a new tab starts
 * locked too: the session cookie still works there, and the next person at the desk must
 * not get the workspace back by pressing F5. It holds a flag only, never anything of a
 * conversation; a sign-in with a password (or a sign-out) removes it.
 */
export const LOCK_KEY = 'stille-lijn.console.locked';

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
    else localStorage.removeItem(LOCK_KEY);
  } catch {
    // A browser that refuses storage keeps the lock in this page only.
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
