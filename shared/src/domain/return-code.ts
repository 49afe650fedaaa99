/** Normalises a typed return code: case, spaces and dashes do not matter. */
export function normalizeReturnCode(code: string): string {
  return code.toUpperCase().replace(/[^A-Z0-9]/g, '');
}
