import { describe, expect, it } from 'vitest';
import { AppError, errorCatalogue, errorReasonList, errorReasons, isErrorReason, refusal } from './errors.ts';
import { apiErrorSchema } from './rest/common.ts';

describe('the reason catalogue', () => {
  it('gives every reason one generic code of the protocol and an English sentence', () => {
    expect(errorReasonList.length).toBeGreaterThan(20);
    for (const reason of errorReasonList) {
      const { code, message } = errorReasons[reason];
      expect(Object.keys(errorCatalogue), reason).toContain(code);
      expect(message.length, reason).toBeGreaterThan(5);
      expect(reason).toMatch(/^[a-z]+(_[a-z0-9]+)*$/);
    }
  });

  it('holds the causes clients switch on, each under the code the protocol fixes', () => {
    expect(errorReasons.at_capacity.code).toBe('conflict');
    expect(errorReasons.not_waiting.code).toBe('conflict');
    expect(errorReasons.conversation_ended.code).toBe('conflict');
    expect(errorReasons.operator_offline.code).toBe('not_found');
    expect(errorReasons.not_holder.code).toBe('forbidden');
    expect(errorReasons.colleague_full.code).toBe('conflict');
    expect(errorReasons.blocked.code).toBe('forbidden');
    expect(errorReasons.open_limit.code).toBe('rate_limited');
  });

  it('refusal() makes the error of a reason: its code, status, message and the reason', () => {
    const err = refusal('at_capacity');
    expect(err).toBeInstanceOf(AppError);
    expect(err.status).toBe(409);
    expect(err.toBody()).toEqual({
      code: 'conflict',
      message: 'You are at capacity.',
      reason: 'at_capacity',
    });
    expect(refusal('return_code_throttled', { message: 'Wait.', retryAfterSeconds: 4 }).toBody()).toEqual({
      code: 'rate_limited',
      message: 'Wait.',
      reason: 'return_code_throttled',
      retryAfterSeconds: 4,
    });
  });

  it('tells its own reasons from anything else', () => {
    expect(isErrorReason('not_holder')).toBe(true);
    for (const other of ['toString', 'constructor', 'conflict', '', 3, null, undefined]) {
      expect(isErrorReason(other)).toBe(false);
    }
  });

  it('parses a REST error body, dropping a reason from a newer server', () => {
    const body = { error: { code: 'conflict', message: 'x', reason: 'own_account' }, fields: [] };
    expect(apiErrorSchema.parse(body).error.reason).toBe('own_account');
    const newer = { error: { code: 'conflict', message: 'x', reason: 'not_yet_invented' } };
    expect(apiErrorSchema.parse(newer).error.reason).toBeUndefined();
    expect(apiErrorSchema.safeParse({ error: { code: 'teapot', message: 'x' } }).success).toBe(false);
  });
});
