import { describe, expect, it } from 'vitest';
import { generateTotpSecret, matchTotp, TOTP_PERIOD_S, totpCodeAt, totpUri } from './totp.ts';

const step = TOTP_PERIOD_S * 1000;

describe('TOTP', () => {
  const secret = generateTotpSecret();
  const t0 = 1_700_000_000_000;
  const counter0 = Math.floor(t0 / step);

  it('makes 160-bit base32 secrets', () => {
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(generateTotpSecret()).not.toBe(secret);
  });

  it('matches the RFC 6238 test vector (SHA-1, T = 59 s)', () => {
    // RFC 6238 appendix B: secret "12345678901234567890", 8 digits 94287082 → 6 digits 287082.
    const rfcSecret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
    expect(totpCodeAt(rfcSecret, 59_000)).toBe('287082');
    expect(matchTotp(rfcSecret, '287082', 59_000)).toBe(1);
  });

  it('accepts the current code and one step either side, returning its counter', () => {
    expect(matchTotp(secret, totpCodeAt(secret, t0), t0)).toBe(counter0);
    expect(matchTotp(secret, totpCodeAt(secret, t0 - step), t0)).toBe(counter0 - 1);
    expect(matchTotp(secret, totpCodeAt(secret, t0 + step), t0)).toBe(counter0 + 1);
  });

  it('refuses codes two steps away, other secrets and malformed input', () => {
    expect(matchTotp(secret, totpCodeAt(secret, t0 - 2 * step), t0)).toBeNull();
    expect(matchTotp(secret, totpCodeAt(secret, t0 + 2 * step), t0)).toBeNull();
    expect(matchTotp(generateTotpSecret(), totpCodeAt(secret, t0), t0)).toBeNull();
    expect(matchTotp(secret, '12345', t0)).toBeNull();
    expect(matchTotp(secret, 'abcdef', t0)).toBeNull();
  });

  it('builds an otpauth URI an authenticator app understands', () => {
    const uri = new URL(totpUri(secret, 'anna'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Stille Lijn:anna');
    expect(uri.searchParams.get('secret')).toBe(secret);
    expect(uri.searchParams.get('issuer')).toBe('Stille Lijn');
    expect(uri.searchParams.get('digits')).toBe('6');
    expect(uri.searchParams.get('period')).toBe('30');
  });
});
