/** Whole seconds from `from` (ISO) to `now` (ms), never negative. */
export function secondsSince(from: string, now: number): number {
  const at = Date.parse(from);
  if (Number.isNaN(at)) return 0;
  return Math.max(0, Math.floor((now - at) / 1000));
}

/** Whole seconds from `now` (ms) until `until` (ISO), never negative. */
export function secondsUntil(until: string, now: number): number {
  const at = Date.parse(until);
  if (Number.isNaN(at)) return 0;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * A duration as a clock: `0:45`, `12:05`, `1:02:03`. Locale-neutral, so it needs
 * no catalogue entry.
 */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = s % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return hours > 0 ? `${hours}:${pad(minutes)}:${pad(seconds)}` : `${minutes}:${pad(seconds)}`;
}

/** A wall-clock time such as 14:05, in the console's locale. */
export function formatClock(iso: string, locale: string): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '';
  return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' }).format(at);
}

/** A day and time such as "5 dec, 14:05", for moments that may fall on another day. */
export function formatDayTime(iso: string, locale: string): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '';
  return new Intl.DateTimeFormat(locale, {
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  }).format(at);
}
