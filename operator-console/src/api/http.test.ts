import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_AFTER_S, parseRetryAfter } from './http.ts';

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T10:00:00.000Z');

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter(' 7 ', now)).toBe(7);
    expect(parseRetryAfter('0', now)).toBe(1);
  });

  it('reads an HTTP date', () => {
    expect(parseRetryAfter('Wed, 01 Jan 2025 10:00:30 GMT', now)).toBe(30);
    expect(parseRetryAfter('Wed, 01 Jan 2025 09:00:00 GMT', now)).toBe(1);
  });

  it('falls back to the default when missing or unreadable', () => {
    expect(parseRetryAfter(null, now)).toBe(DEFAULT_RETRY_AFTER_S);
    expect(parseRetryAfter('', now)).toBe(DEFAULT_RETRY_AFTER_S);
    expect(parseRetryAfter('soon', now)).toBe(DEFAULT_RETRY_AFTER_S);
  });
});
