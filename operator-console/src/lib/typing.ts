export interface TypingThrottleOptions {
  /** Sends the operator's typing state for one conversation. */
  emit: (typing: boolean) => void;
  /** A repeated "typing" is sent at most this often. @default 2500 */
  intervalMs?: number;
  /** After this long without input, "stopped typing" is sent. @default 4000 */
  idleMs?: number;
  now?: () => number;
}

export interface TypingThrottle {
  /** Call on every keystroke that changes the text. */
  input(): void;
  /** Call when the message was sent, the field emptied or left. */
  stop(): void;
}

/**
 * Throttles typing signals: one `true` per interval while typing, one `false` after
 * a pause or on stop, and nothing at all while nothing changes.
 */
export function createTypingThrottle(options: TypingThrottleOptions): TypingThrottle {
  const intervalMs = options.intervalMs ?? 2500;
  const idleMs = options.idleMs ?? 4000;
  const now = options.now ?? Date.now;
  let typing = false;
  let lastSent = Number.NEGATIVE_INFINITY;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;

  const stop = () => {
    if (idleTimer !== undefined) clearTimeout(idleTimer);
    idleTimer = undefined;
    if (!typing) return;
    typing = false;
    lastSent = Number.NEGATIVE_INFINITY;
    options.emit(false);
  };

  return {
    input() {
      const t = now();
      if (!typing || t - lastSent >= intervalMs) {
        typing = true;
        lastSent = t;
        options.emit(true);
      }
      if (idleTimer !== undefined) clearTimeout(idleTimer);
      idleTimer = setTimeout(stop, idleMs);
    },
    stop,
  };
}
