import { AppError } from '@stille-lijn/shared/errors';
import { describe, expect, it } from 'vitest';
import { assertUsernameAcceptable, normalizeUsername, parseLanguages } from './store.ts';

describe('operator account validation', () => {
  it('compares usernames case-insensitively', () => {
    expect(normalizeUsername('  Anna.B ')).toBe('anna.b');
  });

  it('accepts plain usernames and refuses odd ones', () => {
    for (const ok of ['anna', 'Anna.B', 'j_de-vries', 'a1'])
      expect(() => assertUsernameAcceptable(ok)).not.toThrow();
    for (const bad of ['a', '-anna', 'anna b', 'änna', 'x'.repeat(65), 'anna:1', '']) {
      expect(() => assertUsernameAcceptable(bad)).toThrow(AppError);
    }
  });

  it('validates and de-duplicates languages', () => {
    expect(parseLanguages(['nl', ' en', 'nl'])).toEqual(['nl', 'en']);
    expect(() => parseLanguages([])).toThrow(AppError);
    expect(() => parseLanguages(['nl', 'xx'])).toThrow(AppError);
  });
});
