import { describe, expect, it } from 'vitest';
import { normaliseAck, settle, syncResultOf } from './ack.ts';

describe('acknowledgements', () => {
  it('passes a success through and reduces an error to its known code', () => {
    expect(normaliseAck({ ok: true, noteId: 'n1' })).toEqual({ ok: true, noteId: 'n1' });
    expect(normaliseAck({ ok: false, error: { code: 'conflict', message: 'taken' } })).toEqual({
      ok: false,
      error: { code: 'conflict', message: 'conflict' },
    });
  });

  it('keeps a reason of the shared catalogue and drops one it does not know', () => {
    expect(
      normaliseAck({ ok: false, error: { code: 'conflict', message: 'full', reason: 'at_capacity' } }),
    ).toEqual({ ok: false, error: { code: 'conflict', message: 'conflict', reason: 'at_capacity' } });
    expect(normaliseAck({ ok: false, error: { code: 'conflict', message: 'x', reason: 'later' } })).toEqual({
      ok: false,
      error: { code: 'conflict', message: 'conflict' },
    });
  });

  it('keeps how long the server asks to wait (in the error, or at the top level)', () => {
    expect(
      normaliseAck({ ok: false, error: { code: 'unavailable', message: 'x', retryAfterSeconds: 4.2 } }),
    ).toEqual({ ok: false, error: { code: 'unavailable', message: 'unavailable', retryAfterSeconds: 5 } });
    expect(
      normaliseAck({ ok: false, error: { code: 'rate_limited', message: 'x' }, retryAfterSeconds: 10 }),
    ).toEqual({ ok: false, error: { code: 'rate_limited', message: 'rate_limited', retryAfterSeconds: 10 } });
    for (const bad of [0, -1, Number.NaN, '10'])
      expect(
        normaliseAck({ ok: false, error: { code: 'unavailable', message: 'x', retryAfterSeconds: bad } }),
      ).toEqual({ ok: false, error: { code: 'unavailable', message: 'unavailable' } });
  });

  it('treats anything malformed as internal', () => {
    for (const bad of [undefined, null, 'ok', {}, { ok: false }, { ok: false, error: { code: 'nope' } }]) {
      expect(normaliseAck(bad)).toMatchObject({ ok: false, error: { code: 'internal' } });
    }
  });

  it('turns a timeout into unavailable', async () => {
    await expect(settle(Promise.reject(new Error('operation has timed out')))).resolves.toMatchObject({
      ok: false,
      error: { code: 'unavailable' },
    });
  });

  it('tells saved, local-only (unknown event) and failed apart', () => {
    expect(syncResultOf({ ok: true })).toBe('saved');
    expect(syncResultOf({ ok: false, error: { code: 'unknown_event', message: '' } })).toBe('local-only');
    expect(syncResultOf({ ok: false, error: { code: 'invalid_payload', message: '' } })).toBe('failed');
  });
});
