import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { fetchSessionIdleMinutes } from '../api/http.ts';
import { isLockNote, LOCK_CHANNEL, type LockNote, readLockMarker, writeLockMarker } from './marker.ts';

/** Input that says someone is at the console; any of them restarts the wait. */
export const INPUT_EVENTS = ['keydown', 'pointerdown', 'mousemove', 'touchstart', 'wheel'] as const;

/** Minutes without input before the lock while the server has not said (`SESSION_IDLE_MIN`). @default 30 */
export const DEFAULT_LOCK_AFTER_MIN = 30;

/** Input is told to the other tabs at most this often. @default 1000 */
const SHARE_INPUT_MS = 1000;

export interface ScreenLock {
  locked: boolean;
  /** Locks this tab and every other console tab of this browser, at once. */
  lock(): void;
  /**
   * After a sign-in with the password: every console tab of this browser, as the lock was.
   * The flag that keeps a reload locked is one for all tabs, so one tab left locked would
   * open on F5 anyway.
   */
  unlock(): void;
}

/**
 * The console's screen lock: after the server's `SESSION_IDLE_MIN` without input in any
 * console tab of this browser, or when asked. The session itself goes on (the socket keeps
 * it alive); the lock only decides what is on screen.
 */
export function useScreenLock(): ScreenLock {
  const [locked, setLocked] = useState(readLockMarker);
  const [lockAfterMs, setLockAfterMs] = useState(DEFAULT_LOCK_AFTER_MIN * 60_000);
  const lastInput = useRef(Date.now());
  const channel = useRef<BroadcastChannel | undefined>(undefined);
  const current = useRef({ locked, lockAfterMs });
  current.current = { locked, lockAfterMs };

  const lock = useCallback(() => {
    writeLockMarker(true);
    channel.current?.postMessage({ kind: 'lock' } satisfies LockNote);
    setLocked(true);
  }, []);

  const unlock = useCallback(() => {
    writeLockMarker(false);
    channel.current?.postMessage({ kind: 'unlock' } satisfies LockNote);
    lastInput.current = Date.now();
    setLocked(false);
  }, []);

  useEffect(() => {
    let cancelled = false;
    void fetchSessionIdleMinutes().then((minutes) => {
      if (!cancelled && minutes !== undefined) setLockAfterMs(minutes * 60_000);
    });
    return () => {
      cancelled = true;
    };
  }, []);

  useEffect(() => {
    const tabs = typeof BroadcastChannel === 'undefined' ? undefined : new BroadcastChannel(LOCK_CHANNEL);
    channel.current = tabs;
    let sharedAt = 0;
    const onInput = (e: Event) => {
      if (current.current.locked) return;
      const now = Date.now();
      // A timer held back (a hidden tab, a sleeping laptop): the first input after the wait
      // locks, and goes no further (a key would otherwise still reach the composer or a shortcut).
      if (now - lastInput.current >= current.current.lockAfterMs) {
        e.preventDefault();
        e.stopImmediatePropagation();
        return lock();
      }
      lastInput.current = now;
      if (tabs && now - sharedAt >= SHARE_INPUT_MS) {
        sharedAt = now;
        tabs.postMessage({ kind: 'input' } satisfies LockNote);
      }
    };
    const onNote = (e: MessageEvent) => {
      if (!isLockNote(e.data)) return;
      if (e.data.kind === 'lock') setLocked(true);
      else if (e.data.kind === 'unlock') {
        lastInput.current = Date.now();
        setLocked(false);
      } else lastInput.current = Math.max(lastInput.current, Date.now());
    };
    tabs?.addEventListener('message', onNote);
    // Not passive: the input that finds the wait over is stopped (above).
    for (const type of INPUT_EVENTS) window.addEventListener(type, onInput, { capture: true });
    return () => {
      for (const type of INPUT_EVENTS) window.removeEventListener(type, onInput, { capture: true });
      tabs?.removeEventListener('message', onNote);
      tabs?.close();
      channel.current = undefined;
    };
  }, [lock]);

  useEffect(() => {
    if (locked) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const check = () => {
      clearTimeout(timer);
      const left = lastInput.current + lockAfterMs - Date.now();
      if (left <= 0) lock();
      else timer = setTimeout(check, left);
    };
    check();
    // Timers of a hidden tab run late: coming back to it checks at once.
    const onVisible = () => {
      if (document.visibilityState === 'visible') check();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [locked, lockAfterMs, lock]);

  return { locked, lock, unlock };
}
