import { describe, expect, it } from 'vitest';
import { accountErrors, orderedLanguages } from './admin.ts';

const ok = {
  username: 'anna.devries',
  displayName: 'Anna de Vries',
  role: 'operator' as const,
  languages: ['nl'],
};

describe('account rules', () => {
  it('accepts what the CLI accepts', () => {
    expect(accountErrors(ok, { isNew: true })).toEqual({});
    expect(accountErrors({ ...ok, username: 'a1' }, { isNew: true })).toEqual({});
  });

  it('refuses a bad username only for a new account', () => {
    for (const username of ['a', '.anna', 'anna de vries', 'x'.repeat(65), 'anné']) {
      expect(accountErrors({ ...ok, username }, { isNew: true })).toEqual({ username: true });
    }
    expect(accountErrors({ ...ok, username: '' }, { isNew: false })).toEqual({});
  });

  it('needs a display name of 1 to 80 characters, a role and at least one known language', () => {
    expect(accountErrors({ ...ok, displayName: '   ' }, { isNew: false })).toEqual({ displayName: true });
    expect(accountErrors({ ...ok, displayName: 'x'.repeat(81) }, { isNew: false })).toEqual({
      displayName: true,
    });
    expect(accountErrors({ ...ok, role: '' }, { isNew: false })).toEqual({ role: true });
    expect(accountErrors({ ...ok, languages: [] }, { isNew: false })).toEqual({ languages: true });
    expect(accountErrors({ ...ok, languages: ['nl', 'xx'] }, { isNew: false })).toEqual({ languages: true });
  });

  it('keeps languages in the shared order', () => {
    expect(orderedLanguages(['en', 'tr', 'nl'])).toEqual(['nl', 'en', 'tr']);
  });
});
