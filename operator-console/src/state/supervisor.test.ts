import { describe, expect, it } from 'vitest';
import { conversation, msg, run, T0, T1 } from './fixtures.ts';
import { workspaceReducer } from './workspace.ts';

describe('supervisor', () => {
  it('keeps the newest supervisor alerts first, counts the unseen, and announces failed reports politely', () => {
    let s = run();
    for (let i = 0; i < 25; i++) {
      s = workspaceReducer(s, {
        type: 'alert',
        alert: { kind: 'acute-danger', conversationId: `c${i}`, operatorName: 'Anna', at: T0 },
      });
    }
    expect(s.alerts).toHaveLength(20);
    expect(s.alerts[0]?.conversationId).toBe('c24');
    expect(s.alertsUnseen).toBe(20);
    // Acute danger is read out by the assertive alert region, not the polite status line.
    expect(s.announcement).toBeUndefined();
    s = workspaceReducer(s, { type: 'alerts-seen' });
    expect(s.alertsUnseen).toBe(0);
    s = workspaceReducer(s, {
      type: 'alert',
      alert: { kind: 'report-failed', conversationId: 'c1', reportId: 'r1', at: T0 },
    });
    expect(s.alertsUnseen).toBe(1);
    expect(s.announcement).toMatchObject({ kind: 'supervisor-alert', conversationId: 'c1' });
  });

  it('reads along with one conversation: loads, streams messages once, follows updates, closes', () => {
    let s = run({ type: 'monitor-open', conversationId: 'x' });
    expect(s.monitor).toMatchObject({ conversationId: 'x', status: 'loading' });
    // A message streamed in before the view arrived is kept, in time order.
    s = workspaceReducer(s, {
      type: 'monitor-message',
      conversationId: 'x',
      message: msg('m2', 'operator', 'b', T1),
    });
    s = workspaceReducer(s, {
      type: 'monitor-loaded',
      conversation: conversation('x'),
      messages: [msg('m1', 'visitor', 'a')],
      notes: [],
    });
    s = workspaceReducer(s, {
      type: 'monitor-message',
      conversationId: 'x',
      message: msg('m2', 'operator', 'b', T1),
    });
    s = workspaceReducer(s, { type: 'monitor-message', conversationId: 'y', message: msg('m3', 'visitor') });
    expect(s.monitor?.messages.map((m) => m.messageId)).toEqual(['m1', 'm2']);
    s = workspaceReducer(s, { type: 'updated', conversation: conversation('x', { urgent: true }) });
    expect(s.monitor?.conversation?.urgent).toBe(true);
    // Never part of the operator's own list.
    expect(s.order).toEqual([]);
    expect(workspaceReducer(s, { type: 'monitor-close' }).monitor).toBeUndefined();
  });

  it('keeps the newest return by code of the conversation read along with, live or from the server', () => {
    const T2 = '2025-01-01T10:02:00.000Z';
    const open = run({ type: 'monitor-open', conversationId: 'x' });
    // Heard while the view loads: kept once it arrives.
    let s = workspaceReducer(open, {
      type: 'visitor-returned',
      conversationId: 'x',
      by: 'return-code',
      at: T1,
    });
    s = workspaceReducer(s, {
      type: 'monitor-loaded',
      conversation: conversation('x'),
      messages: [],
      notes: [],
    });
    expect(s.monitor?.returnCodeUsedAt).toBe(T1);
    // An older copy of the conversation does not hide it; a newer mark from the server wins.
    s = workspaceReducer(s, { type: 'updated', conversation: conversation('x', { returnCodeUsedAt: T0 }) });
    expect(s.monitor?.returnCodeUsedAt).toBe(T1);
    s = workspaceReducer(s, { type: 'updated', conversation: conversation('x', { returnCodeUsedAt: T2 }) });
    expect(s.monitor?.returnCodeUsedAt).toBe(T2);
    // Not one of this console's own conversations: nothing is announced or listed.
    expect(s.announcement).toBeUndefined();
    expect(s.order).toEqual([]);

    // From the conversation itself, when reading along starts after the return.
    const loaded = run(
      { type: 'monitor-open', conversationId: 'x' },
      {
        type: 'monitor-loaded',
        conversation: conversation('x', { returnCodeUsedAt: T0 }),
        messages: [],
        notes: [],
      },
    );
    expect(loaded.monitor?.returnCodeUsedAt).toBe(T0);

    // A reconnect by token, or a return to another conversation, marks nothing.
    const plain = run(
      { type: 'monitor-open', conversationId: 'x' },
      { type: 'monitor-loaded', conversation: conversation('x'), messages: [], notes: [] },
      { type: 'visitor-returned', conversationId: 'x', by: 'token', at: T0 },
      { type: 'visitor-returned', conversationId: 'y', by: 'return-code', at: T0 },
      { type: 'visitor-returned', conversationId: 'x', at: T1 },
    );
    expect(plain.monitor?.returnCodeUsedAt).toBeUndefined();
  });

  it('says so when the server ends the read-along (the conversation moved out of its lines)', () => {
    let s = run(
      { type: 'monitor-open', conversationId: 'x' },
      {
        type: 'monitor-loaded',
        conversation: conversation('x'),
        messages: [msg('m1', 'visitor', 'a')],
        notes: [],
      },
    );
    // Another conversation's notice changes nothing here.
    s = workspaceReducer(s, {
      type: 'monitored',
      conversationId: 'y',
      supervisorName: 'Sanne',
      watching: false,
    });
    expect(s.monitor).toMatchObject({ conversationId: 'x', status: 'ready' });
    s = workspaceReducer(s, {
      type: 'monitored',
      conversationId: 'x',
      supervisorName: 'Sanne',
      watching: false,
    });
    expect(s.monitor).toMatchObject({ conversationId: 'x', status: 'failed', failure: 'forbidden' });
  });
});
