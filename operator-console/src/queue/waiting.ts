/** Waits at least this long stand out in the queue. @default 180 */
export const LONG_WAIT_SECONDS = 180;

export function isLongWait(waitedSeconds: number): boolean {
  return waitedSeconds >= LONG_WAIT_SECONDS;
}
