import { describe, expect, it } from 'vitest';
import { assign, run, T0, T1 } from './fixtures.ts';

describe('how the visitor came back', () => {
  it('a reconnect by token is a plain return: no return-code mark, announced as such', () => {
    const s = run(
      assign('a'),
      { type: 'visitor-left', conversationId: 'a', reason: 'disconnected', at: T0 },
      { type: 'visitor-returned', conversationId: 'a', by: 'token', at: T0 },
    );
    expect(s.conversations.a?.returnCodeUsedAt).toBeUndefined();
    expect(s.announcement).toMatchObject({ kind: 'visitor-returned', conversationId: 'a', by: 'token' });
  });

  it('a server that does not say how is taken as a reconnect', () => {
    const s = run(
      assign('a'),
      { type: 'visitor-left', conversationId: 'a', reason: 'disconnected', at: T0 },
      { type: 'visitor-returned', conversationId: 'a', at: T0 },
    );
    expect(s.announcement).toMatchObject({ kind: 'visitor-returned', by: 'token' });
  });

  it('a return code is marked, and the mark outlives later leaves and reconnects', () => {
    const s = run(
      assign('a'),
      { type: 'visitor-left', conversationId: 'a', reason: 'quick-exit', at: T0 },
      { type: 'visitor-returned', conversationId: 'a', by: 'return-code', at: T0 },
    );
    expect(s.conversations.a?.returnCodeUsedAt).toBe(T0);
    expect(s.announcement).toMatchObject({ kind: 'visitor-returned', by: 'return-code' });
    const later = run(
      assign('a'),
      { type: 'visitor-left', conversationId: 'a', reason: 'quick-exit', at: T0 },
      { type: 'visitor-returned', conversationId: 'a', by: 'return-code', at: T0 },
      { type: 'visitor-left', conversationId: 'a', reason: 'disconnected', at: T1 },
      { type: 'visitor-returned', conversationId: 'a', by: 'token', at: T1 },
    );
    expect(later.conversations.a?.returnCodeUsedAt).toBe(T0);
    expect(later.conversations.a?.returnedAt).toBe(T1);
  });
});
