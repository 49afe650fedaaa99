import { describe, expect, it } from 'vitest';
import { assign, conversation, run, T0, T1 } from './fixtures.ts';

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

describe('the return-code mark the server keeps', () => {
  const T2 = '2025-01-01T10:02:00.000Z';
  const withMark = (id: string, at: string) => ({
    type: 'assigned' as const,
    conversation: conversation(id, { returnCodeUsedAt: at }),
    messages: [],
    notes: [],
  });

  it('a conversation that arrives marked (transferred, accepted, after a reload) shows the warning at once', () => {
    const s = run(withMark('a', T0));
    expect(s.conversations.a?.returnCodeUsedAt).toBe(T0);
    expect(s.conversations.a?.away).toBeUndefined();
    expect(s.conversations.a?.returnedAt).toBeUndefined();
  });

  it('an ended conversation read after a reload keeps its mark', () => {
    const s = run({
      type: 'recent',
      conversation: conversation('a', { state: 'ended', returnCodeUsedAt: T0 }),
      messages: [],
      notes: [],
    });
    expect(s.conversations.a?.returnCodeUsedAt).toBe(T0);
  });

  it('the newest of the live event and the server mark wins, whichever comes last', () => {
    const liveNewer = run(
      withMark('a', T0),
      { type: 'visitor-left', conversationId: 'a', reason: 'quick-exit', at: T1 },
      { type: 'visitor-returned', conversationId: 'a', by: 'return-code', at: T1 },
      { type: 'updated', conversation: conversation('a', { returnCodeUsedAt: T0 }) },
      withMark('a', T0),
    );
    expect(liveNewer.conversations.a?.returnCodeUsedAt).toBe(T1);

    const serverNewer = run(
      assign('a'),
      { type: 'visitor-left', conversationId: 'a', reason: 'quick-exit', at: T0 },
      { type: 'visitor-returned', conversationId: 'a', by: 'return-code', at: T0 },
      { type: 'updated', conversation: conversation('a', { returnCodeUsedAt: T1 }) },
    );
    expect(serverNewer.conversations.a?.returnCodeUsedAt).toBe(T1);
    const reassigned = run(assign('a'), withMark('a', T2));
    expect(reassigned.conversations.a?.returnCodeUsedAt).toBe(T2);
  });

  it('an update or a reassignment without the mark does not take a known one away', () => {
    const s = run(withMark('a', T0), { type: 'updated', conversation: conversation('a') }, assign('a'));
    expect(s.conversations.a?.returnCodeUsedAt).toBe(T0);
  });

  it('a reconcile after a reconnect brings a mark set while this console was offline', () => {
    const s = run(assign('a'), {
      type: 'reconcile',
      conversations: [conversation('a', { returnCodeUsedAt: T1 })],
      candidates: ['a'],
    });
    expect(s.conversations.a?.returnCodeUsedAt).toBe(T1);
  });
});
