/**
 * The longest return window a deployment may set (RETURN_WINDOW_MIN's upper bound), in
 * minutes: the widget finishing an End made offline goes on this long at the most.
 */
export const RETURN_WINDOW_MAX_MIN = 240;

/** Normalises a typed return code: case, spaces and dashes do not matter. */
export function normalizeReturnCode(code: string): string {
  return code.toUpperCase().replace(/[^A-Z0-9]/g, '');
}
