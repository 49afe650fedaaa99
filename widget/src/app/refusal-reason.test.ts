import type { AckError, ErrorCode, ErrorReason } from '@stille-lijn/shared';
import { describe, expect, it } from 'vitest';
import { refusalReason } from './session.ts';

const refused = (code: ErrorCode, reason?: ErrorReason): AckError => ({
  ok: false,
  error: { code, message: '', ...(reason ? { reason } : {}) },
});

describe('a refused message is read by its reason', () => {
  it('keeps the text for the causes the chat explains', () => {
    expect(refusalReason(refused('rate_limited', 'waiting_messages'))).toBe('waiting-messages');
    expect(refusalReason(refused('too_large', 'conversation_full'))).toBe('conversation-full');
    expect(refusalReason(refused('rate_limited', 'too_fast'))).toBe('too-fast');
  });

  it('does not guess from the code: without a known reason the message is just not sent', () => {
    expect(refusalReason(refused('rate_limited'))).toBeUndefined();
    expect(refusalReason(refused('too_large'))).toBeUndefined();
    expect(refusalReason(refused('conflict', 'conversation_ended'))).toBeUndefined();
    expect(refusalReason(refused('unavailable'))).toBeUndefined();
  });
});
