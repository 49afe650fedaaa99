import type { LoginBody } from '@stille-lijn/shared';

/**
 * The login body from the form's fields, or undefined when it cannot be right (empty
 * fields, a code that is not 6 digits): the form then shows the same generic error as
 * the server would, without a request.
 */
export function loginBodyFrom(username: string, password: string, totp: string): LoginBody | undefined {
  const user = username.trim();
  const code = totp.replace(/\s+/g, '');
  if (user === '' || password === '') return undefined;
  if (code !== '' && !/^\d{6}$/.test(code)) return undefined;
  return code === '' ? { username: user, password } : { username: user, password, totp: code };
}
