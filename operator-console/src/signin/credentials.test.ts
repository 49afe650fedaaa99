import { describe, expect, it } from 'vitest';
import { loginBodyFrom } from './credentials.ts';

describe('loginBodyFrom', () => {
  it('sends the code only when one was typed, without spaces', () => {
    expect(loginBodyFrom(' anna ', 'pw', '')).toEqual({ username: 'anna', password: 'pw' });
    expect(loginBodyFrom('anna', 'pw', '123 456')).toEqual({
      username: 'anna',
      password: 'pw',
      totp: '123456',
    });
  });

  it('refuses what cannot be right, so the form shows the generic error', () => {
    expect(loginBodyFrom('', 'pw', '')).toBeUndefined();
    expect(loginBodyFrom('anna', '', '')).toBeUndefined();
    expect(loginBodyFrom('anna', 'pw', '12345')).toBeUndefined();
    expect(loginBodyFrom('anna', 'pw', 'abcdef')).toBeUndefined();
  });
});
