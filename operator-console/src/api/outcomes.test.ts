import type { AckError, ErrorCode, ErrorReason } from '@stille-lijn/shared';
import { describe, expect, it } from 'vitest';
import {
  acceptOutcome,
  blockOutcome,
  handoverOutcome,
  monitorFailure,
  reassignOutcome,
  transferOutcome,
} from './outcomes.ts';

const refused = (code: ErrorCode, reason?: ErrorReason): AckError => ({
  ok: false,
  error: { code, message: '', ...(reason ? { reason } : {}) },
});

describe('outcomes switch on the reason, not on guesses', () => {
  it('accept: at capacity and no longer waiting share a code but not a message', () => {
    expect(acceptOutcome({ ok: true })).toBe('ok');
    expect(acceptOutcome(refused('conflict', 'at_capacity'))).toBe('full');
    expect(acceptOutcome(refused('conflict', 'not_waiting'))).toBe('conflict');
    // An older server without reasons: the generic code still means "taken".
    expect(acceptOutcome(refused('conflict'))).toBe('conflict');
    expect(acceptOutcome(refused('unavailable'))).toBe('failed');
    expect(acceptOutcome(undefined)).toBe('failed');
  });

  it('transfer: offline, full and ended colleagues each get their own outcome', () => {
    expect(transferOutcome(refused('not_found', 'operator_offline'))).toBe('offline');
    expect(transferOutcome(refused('conflict', 'colleague_full'))).toBe('colleague-full');
    expect(transferOutcome(refused('conflict', 'conversation_ended'))).toBe('ended');
    expect(transferOutcome(refused('forbidden', 'not_holder'))).toBe('not-found');
    expect(transferOutcome(refused('conflict'))).toBe('not-found');
    expect(transferOutcome(refused('internal'))).toBe('failed');
  });

  it('block: only block_too_late is "too late"; another conflict is a failure', () => {
    expect(blockOutcome(refused('conflict', 'block_too_late'))).toBe('too-late');
    expect(blockOutcome(refused('conflict'))).toBe('failed');
    expect(blockOutcome(refused('forbidden', 'not_holder'))).toBe('forbidden');
    expect(blockOutcome(refused('forbidden', 'role_required'))).toBe('lifted');
    expect(blockOutcome(refused('not_found'))).toBe('not-found');
  });

  it('monitor: a used-up look budget is told apart from a failure', () => {
    expect(monitorFailure('rate_limited')).toBe('limited');
    expect(monitorFailure('forbidden')).toBe('forbidden');
    expect(monitorFailure('not_found')).toBe('not-found');
    expect(monitorFailure('unavailable')).toBe('failed');
  });

  it('reassign: a full colleague is told apart from a conversation that moved on', () => {
    expect(reassignOutcome(refused('conflict', 'colleague_full'))).toBe('colleague-full');
    expect(reassignOutcome(refused('conflict', 'not_active'))).toBe('conflict');
    expect(reassignOutcome(refused('not_found', 'operator_offline'))).toBe('not-found');
    expect(reassignOutcome(refused('unavailable'))).toBe('failed');
  });

  it('hand-over: a full colleague and one not signed in are told apart; moved counts come through', () => {
    expect(handoverOutcome({ ok: true, moved: 2 })).toEqual({ ok: true, moved: 2 });
    expect(handoverOutcome(refused('conflict', 'colleague_full'))).toEqual({ ok: false, failure: 'full' });
    expect(handoverOutcome(refused('not_found', 'operator_offline'))).toEqual({
      ok: false,
      failure: 'not-found',
    });
    // Handing over to oneself is a conflict too, but not a full colleague.
    expect(handoverOutcome(refused('conflict', 'self_transfer'))).toEqual({ ok: false, failure: 'failed' });
  });
});
