import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_RETRY_AFTER_S, LOGOUT_TIMEOUT_MS, logout, parseRetryAfter } from './http.ts';

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

describe('logout', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  const answering = (status: number) =>
    vi.fn(async () => new Response(status === 204 ? null : '{}', { status }));

  it('is confirmed by a 2xx, or by a 401 (the session is gone already)', async () => {
    for (const status of [200, 204, 401]) {
      vi.stubGlobal('fetch', answering(status));
      expect(await logout(), String(status)).toBe(true);
    }
  });

  it('is not confirmed by a 5xx, a 403, a 429 or a network error', async () => {
    for (const status of [500, 502, 503, 403, 429]) {
      vi.stubGlobal('fetch', answering(status));
      expect(await logout(), String(status)).toBe(false);
    }
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => {
        throw new TypeError('Failed to fetch');
      }),
    );
    expect(await logout()).toBe(false);
  });

  it('gives up after LOGOUT_TIMEOUT_MS without an answer', async () => {
    vi.useFakeTimers();
    vi.stubGlobal(
      'fetch',
      vi.fn(
        (_path: string, init: RequestInit) =>
          new Promise<Response>((_resolve, reject) => {
            init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
          }),
      ),
    );
    const result = logout();
    await vi.advanceTimersByTimeAsync(LOGOUT_TIMEOUT_MS);
    expect(await result).toBe(false);
  });
});
