import { normalizeReturnCode } from '@stille-lijn/shared/domain/return-code';
import { returnCodeSchema } from '@stille-lijn/shared/protocol';
import { describe, expect, it } from 'vitest';
import { generateReturnCode, RETURN_CODE_SPACE, RETURN_CODE_WORDS } from './return-code.ts';

describe('return codes', () => {
  it('come from at least 2^32 possibilities', () => {
    expect(Math.log2(RETURN_CODE_SPACE)).toBeGreaterThanOrEqual(32);
    expect(RETURN_CODE_SPACE).toBe(256 * 100_000 * 256);
  });

  it('use 256 distinct words of plain letters, short enough to say and type', () => {
    expect(RETURN_CODE_WORDS).toHaveLength(256);
    expect(new Set(RETURN_CODE_WORDS).size).toBe(256);
    for (const w of RETURN_CODE_WORDS) expect(w).toMatch(/^[A-Z]{2,9}$/);
  });

  it('look like WORD-NNNNN-WORD and pass the protocol schema', () => {
    for (let i = 0; i < 200; i++) {
      const code = generateReturnCode();
      expect(code).toMatch(/^[A-Z]{2,9}-\d{5}-[A-Z]{2,9}$/);
      expect(returnCodeSchema.safeParse(code).success).toBe(true);
    }
  });

  it('read back the same whatever the case, spaces and dashes', () => {
    const code = generateReturnCode();
    const [a, n, b] = code.split('-');
    const typed = ` ${a!.toLowerCase()} ${n!.slice(0, 2)} ${n!.slice(2)}-${b!.toLowerCase()} `;
    expect(normalizeReturnCode(typed)).toBe(normalizeReturnCode(code));
  });

  it('are spread over the whole space, not a few favourites', () => {
    const seen = new Set(Array.from({ length: 2000 }, generateReturnCode));
    expect(seen.size).toBeGreaterThan(1990);
  });
});
