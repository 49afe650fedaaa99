import { Secret, TOTP } from 'otpauth';

/** RFC 6238 defaults that every authenticator app understands. */
export const TOTP_PERIOD_S = 30;
const TOTP_DIGITS = 6;
const TOTP_ALGORITHM = 'SHA1';
/** Codes one step before or after the current one are accepted (clock drift). */
export const TOTP_WINDOW = 1;
const ISSUER = 'Stille Lijn';

/** A new random TOTP secret: 160 bits (RFC 4226's recommendation), base32. */
export function generateTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/**
 * The `otpauth://` URI for an authenticator app (shown once as text or a QR code).
 * @example totpUri('JBSWY3DPEHPK3PXP', 'anna') // 'otpauth://totp/Stille%20Lijn:anna?issuer=…'
 */
export function totpUri(secretBase32: string, account: string): string {
  return new TOTP({
    issuer: ISSUER,
    label: account,
    secret: Secret.fromBase32(secretBase32),
    algorithm: TOTP_ALGORITHM,
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_S,
  }).toString();
}

/**
 * Checks a code against the secret at `nowMs` with a window of ±1 step. Returns the
 * time-step counter the code belongs to (for replay protection), or null.
 */
export function matchTotp(secretBase32: string, code: string, nowMs: number): number | null {
  if (!/^[0-9]{6}$/.test(code)) return null;
  const delta = TOTP.validate({
    token: code,
    secret: Secret.fromBase32(secretBase32),
    algorithm: TOTP_ALGORITHM,
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_S,
    timestamp: nowMs,
    window: TOTP_WINDOW,
  });
  if (delta === null) return null;
  return TOTP.counter({ period: TOTP_PERIOD_S, timestamp: nowMs }) + delta;
}

/** The code for `nowMs` (tests and the CLI's self-check). */
export function totpCodeAt(secretBase32: string, nowMs: number): string {
  return TOTP.generate({
    secret: Secret.fromBase32(secretBase32),
    algorithm: TOTP_ALGORITHM,
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_S,
    timestamp: nowMs,
  });
}
