import { describe, expect, it } from 'vitest';
import { assign, conversation, msg, run, T0, T1 } from './fixtures.ts';
import { neighbourId, visibleOrder, workspaceReducer } from './workspace.ts';

describe('assignment and selection', () => {
  it('selects the first conversation and keeps the selection when more arrive', () => {
    const s = run(assign('a'), assign('b', [msg('m1', 'visitor'), msg('m2', 'visitor')]));
    expect(s.order).toEqual(['a', 'b']);
    expect(s.selectedId).toBe('a');
    expect(s.conversations.b?.unread).toBe(2);
    expect(s.labels).toEqual({ a: 1, b: 2 });
  });

  it('selects a conversation accepted by hand and clears its unread count', () => {
    const s = run(assign('a'), assign('b', [msg('m1', 'visitor')]), {
      type: 'assigned',
      conversation: conversation('b'),
      messages: [msg('m1', 'visitor')],
      notes: [],
      select: true,
    });
    expect(s.selectedId).toBe('b');
    expect(s.conversations.b?.unread).toBe(0);
    expect(s.order).toEqual(['a', 'b']);
  });

  it('removes an assigned conversation from the waiting list at once', () => {
    const s = run(
      {
        type: 'queue',
        waiting: [{ conversationId: 'a', role: 'victim', language: 'nl', urgent: false, waitingSince: T0 }],
      },
      assign('a'),
    );
    expect(s.queue).toEqual([]);
  });

  it('counts unread visitor messages only in conversations that are not open', () => {
    const s = run(
      assign('a'),
      assign('b'),
      { type: 'message', conversationId: 'a', message: msg('m1', 'visitor') },
      { type: 'message', conversationId: 'b', message: msg('m2', 'visitor') },
      { type: 'message', conversationId: 'b', message: msg('m3', 'system') },
    );
    expect(s.conversations.a?.unread).toBe(0);
    expect(s.conversations.b?.unread).toBe(1);
    expect(s.conversations.b?.lastVisitorMessageAt).toBe(T0);
  });

  it('while the screen is locked, counts the open conversation too, until it is unlocked', () => {
    const locked = run(
      assign('a'),
      { type: 'screen-lock', locked: true },
      { type: 'message', conversationId: 'a', message: msg('m1', 'visitor') },
      assign('b', [msg('m2', 'visitor')]),
      { type: 'message', conversationId: 'b', message: msg('m3', 'visitor') },
    );
    expect(locked.selectedId).toBe('a');
    expect(locked.conversations.a?.unread).toBe(1);
    expect(locked.conversations.b?.unread).toBe(2);
    const unlocked = workspaceReducer(locked, { type: 'screen-lock', locked: false });
    expect(unlocked.screenLocked).toBe(false);
    expect(unlocked.conversations.a?.unread).toBe(0);
    expect(unlocked.conversations.b?.unread).toBe(2);
  });

  it('while the screen is locked, a first conversation is selected but its messages count', () => {
    const s = run({ type: 'screen-lock', locked: true }, assign('a', [msg('m1', 'visitor')]));
    expect(s.selectedId).toBe('a');
    expect(s.conversations.a?.unread).toBe(1);
  });

  it('ignores a message it already has', () => {
    const s = run(assign('a', [msg('m1', 'visitor')]), {
      type: 'message',
      conversationId: 'a',
      message: msg('m1', 'visitor'),
    });
    expect(s.conversations.a?.messages).toHaveLength(1);
  });

  it('moves between conversations with wrap-around', () => {
    const s = run(assign('a'), assign('b'), assign('c'));
    expect(neighbourId(s, 1)).toBe('b');
    expect(neighbourId(s, -1)).toBe('c');
    expect(neighbourId(run(), 1)).toBeUndefined();
  });
});

describe('sending', () => {
  it('shows a message as pending, then sent with the server id', () => {
    let s = run(assign('a'), {
      type: 'message-pending',
      conversationId: 'a',
      clientMessageId: 'c1',
      text: 'hoi',
      at: T0,
    });
    expect(s.conversations.a?.messages[0]).toMatchObject({
      status: 'pending',
      text: 'hoi',
      from: 'operator',
    });
    s = workspaceReducer(s, {
      type: 'message-acked',
      conversationId: 'a',
      clientMessageId: 'c1',
      messageId: 'm9',
      at: T0,
    });
    expect(s.conversations.a?.messages[0]).toMatchObject({ status: 'sent', messageId: 'm9' });
  });

  it('marks a failed message and retries it under the same client id', () => {
    let s = run(
      assign('a'),
      { type: 'message-pending', conversationId: 'a', clientMessageId: 'c1', text: 'hoi', at: T0 },
      { type: 'message-failed', conversationId: 'a', clientMessageId: 'c1' },
    );
    expect(s.conversations.a?.messages[0]?.status).toBe('failed');
    s = workspaceReducer(s, {
      type: 'message-pending',
      conversationId: 'a',
      clientMessageId: 'c1',
      text: 'hoi',
      at: T0,
    });
    expect(s.conversations.a?.messages).toHaveLength(1);
    expect(s.conversations.a?.messages[0]?.status).toBe('pending');
  });

  it('drops the local copy when another socket of the operator already delivered the message', () => {
    const s = run(
      assign('a'),
      { type: 'message-pending', conversationId: 'a', clientMessageId: 'c1', text: 'hoi', at: T0 },
      { type: 'message', conversationId: 'a', message: msg('m9', 'operator', 'hoi') },
      { type: 'message-acked', conversationId: 'a', clientMessageId: 'c1', messageId: 'm9', at: T0 },
    );
    expect(s.conversations.a?.messages.map((m) => m.messageId)).toEqual(['m9']);
  });

  it('keeps unsent messages when the conversation is assigned again after a reconnect', () => {
    const s = run(
      assign('a', [msg('m1', 'visitor')]),
      { type: 'message-pending', conversationId: 'a', clientMessageId: 'c1', text: 'hoi', at: T0 },
      { type: 'message-failed', conversationId: 'a', clientMessageId: 'c1' },
      { type: 'draft', conversationId: 'a', text: 'half af' },
      assign('a', [msg('m1', 'visitor'), msg('m2', 'visitor')]),
    );
    const entry = s.conversations.a;
    expect(entry?.messages.map((m) => m.messageId ?? m.clientMessageId)).toEqual(['m1', 'm2', 'c1']);
    expect(entry?.draft).toBe('half af');
    expect(s.order).toEqual(['a']);
  });
});

describe('visitor signals', () => {
  it('marks a quick exit with its return window and announces it', () => {
    const s = run(assign('a'), {
      type: 'visitor-left',
      conversationId: 'a',
      reason: 'quick-exit',
      returnUntil: '2025-01-01T10:15:00.000Z',
      at: T0,
    });
    expect(s.conversations.a?.away).toEqual({
      reason: 'quick-exit',
      since: T0,
      returnUntil: '2025-01-01T10:15:00.000Z',
    });
    expect(s.announcement).toMatchObject({
      kind: 'visitor-left',
      conversationId: 'a',
      reason: 'quick-exit',
      label: 1,
    });
  });

  it('clears the mark when the visitor returns, and announces that', () => {
    const s = run(
      assign('a'),
      { type: 'visitor-left', conversationId: 'a', reason: 'disconnected', at: T0 },
      { type: 'visitor-returned', conversationId: 'a', at: T0 },
    );
    expect(s.conversations.a?.away).toBeUndefined();
    expect(s.conversations.a?.returnedAt).toBe(T0);
    expect(s.announcement).toMatchObject({ kind: 'visitor-returned', conversationId: 'a', seq: 3 });
  });

  it('takes the away mark from the conversation on assignment', () => {
    const s = run({
      type: 'assigned',
      conversation: conversation('a', { away: { reason: 'quick-exit', since: T0, returnUntil: T0 } }),
      messages: [],
      notes: [],
    });
    expect(s.conversations.a?.away?.reason).toBe('quick-exit');
  });

  it('ignores signals for conversations that are not the operator’s', () => {
    const before = run(assign('a'));
    const after = workspaceReducer(before, { type: 'visitor-returned', conversationId: 'zz', at: T0 });
    expect(after).toBe(before);
  });
});

describe('ending and closing', () => {
  it('keeps an ended conversation, read-only, until the operator closes it', () => {
    let s = run(assign('a'), assign('b'), { type: 'ended', conversationId: 'a', reason: 'visitor', at: T0 });
    expect(s.conversations.a?.conversation).toMatchObject({ state: 'ended', endReason: 'visitor' });
    expect(s.order).toEqual(['a', 'b']);
    s = workspaceReducer(s, { type: 'close', conversationId: 'a' });
    expect(s.order).toEqual(['b']);
    expect(s.selectedId).toBe('b');
    expect(s.conversations.a).toBeUndefined();
  });

  it('does not close a conversation that is still active', () => {
    const before = run(assign('a'));
    expect(workspaceReducer(before, { type: 'close', conversationId: 'a' })).toBe(before);
  });

  it('removes a transferred conversation and announces it with its label', () => {
    const s = run(assign('a'), assign('b'), {
      type: 'unassigned',
      conversationId: 'a',
      reason: 'transferred',
    });
    expect(s.order).toEqual(['b']);
    expect(s.selectedId).toBe('b');
    expect(s.announcement).toMatchObject({ kind: 'unassigned', reason: 'transferred', label: 1 });
  });
});

describe('blocking', () => {
  it('ends an open conversation as blocked and marks it blocked, announced once', () => {
    const s = run(assign('a'), { type: 'blocked', conversationId: 'a', at: T1 });
    expect(s.conversations.a?.conversation).toMatchObject({
      state: 'ended',
      endReason: 'blocked',
      endedAt: T1,
    });
    expect(s.conversations.a?.blockedAt).toBe(T1);
    expect(s.announcement).toMatchObject({ kind: 'blocked', conversationId: 'a', label: 1 });
    // The server's chat:ended that follows the ack changes nothing.
    const after = workspaceReducer(s, { type: 'ended', conversationId: 'a', reason: 'blocked', at: T1 });
    expect(after).toBe(s);
  });

  it('keeps the reason of a conversation the visitor had already ended', () => {
    const s = run(
      assign('a'),
      { type: 'ended', conversationId: 'a', reason: 'visitor', at: T0 },
      { type: 'blocked', conversationId: 'a', at: T1 },
    );
    expect(s.conversations.a?.conversation).toMatchObject({
      state: 'ended',
      endReason: 'visitor',
      endedAt: T0,
    });
    expect(s.conversations.a?.blockedAt).toBe(T1);
  });

  it('counts an end with reason blocked (by a supervisor, or before the ack) as blocked', () => {
    const s = run(assign('a'), { type: 'ended', conversationId: 'a', reason: 'blocked', at: T0 });
    expect(s.conversations.a?.blockedAt).toBe(T0);
    expect(workspaceReducer(s, { type: 'blocked', conversationId: 'a', at: T1 })).toBe(s);
    expect(run(assign('a')).conversations.a?.blockedAt).toBeUndefined();
  });

  it('ignores a block of a conversation it does not hold', () => {
    const before = run(assign('a'));
    expect(workspaceReducer(before, { type: 'blocked', conversationId: 'zz', at: T0 })).toBe(before);
  });
});

describe('client-side state', () => {
  it('keeps tags in catalogue order', () => {
    const s = run(assign('a'), { type: 'tags', conversationId: 'a', tags: ['stalking', 'physical'] });
    expect(s.conversations.a?.tags).toEqual(['physical', 'stalking']);
  });

  it('records and clears risk answers', () => {
    const s = run(
      assign('a'),
      { type: 'risk-answer', conversationId: 'a', itemId: 'strangulation', answer: 'yes' },
      { type: 'risk-answer', conversationId: 'a', itemId: 'injury', answer: 'no' },
      { type: 'risk-answer', conversationId: 'a', itemId: 'injury', answer: undefined },
    );
    expect(s.conversations.a?.riskAnswers).toEqual({ strangulation: 'yes' });
  });

  it('marks acute danger as urgent, keeps it across a reassignment', () => {
    const s = run(
      assign('a'),
      { type: 'acute', conversationId: 'a' },
      { type: 'acute', conversationId: 'a', details: { location: 'Utrecht', consentToCall112: true } },
      assign('a'),
    );
    expect(s.conversations.a?.conversation.urgent).toBe(true);
    expect(s.conversations.a?.acute).toEqual({ location: 'Utrecht', consentToCall112: true });
  });
});

describe('server updates', () => {
  it('takes the saved checklist and acute danger from a conversation assigned by transfer', () => {
    const s = run({
      type: 'assigned',
      conversation: conversation('a', {
        risk: { answers: { weapons: 'yes' }, score: 1, level: 'high', redFlags: ['weapons'] },
        acute: { at: T0, markedBy: 'op1', location: 'Zwolle' },
      }),
      messages: [],
      notes: [],
    });
    expect(s.conversations.a?.riskAnswers).toEqual({ weapons: 'yes' });
    expect(s.conversations.a?.acute).toEqual({ location: 'Zwolle', consentToCall112: undefined });
  });

  it('applies chat:updated without losing checklist answers that are not saved yet', () => {
    const s = run(
      assign('a'),
      { type: 'risk-answer', conversationId: 'a', itemId: 'injury', answer: 'yes' },
      { type: 'updated', conversation: conversation('a', { urgent: true, tags: ['sexual', 'nonsense'] }) },
    );
    expect(s.conversations.a?.conversation.urgent).toBe(true);
    expect(s.conversations.a?.tags).toEqual(['sexual']);
    expect(s.conversations.a?.riskAnswers).toEqual({ injury: 'yes' });
  });

  it('keeps tags that are being saved when an older update arrives', () => {
    const s = run(
      assign('a'),
      { type: 'tags', conversationId: 'a', tags: ['physical'] },
      { type: 'sync', conversationId: 'a', what: 'tags', state: 'saving' },
      { type: 'updated', conversation: conversation('a', { tags: [] }) },
    );
    expect(s.conversations.a?.tags).toEqual(['physical']);
  });

  it('tracks which supervisors read along', () => {
    const s = run(
      assign('a'),
      { type: 'monitored', conversationId: 'a', supervisorName: 'Sanne', watching: true },
      { type: 'monitored', conversationId: 'a', supervisorName: 'Pim', watching: true },
      { type: 'monitored', conversationId: 'a', supervisorName: 'Sanne', watching: false },
    );
    expect(s.conversations.a?.monitoredBy).toEqual(['Pim']);
  });

  it('after a reconnect drops what the server no longer gives, and ends what ended meanwhile', () => {
    const s = run(assign('a'), assign('b'), assign('c'), {
      type: 'reconcile',
      conversations: [
        conversation('a'),
        conversation('b', { state: 'ended', endReason: 'visitor', endedAt: T0 }),
      ],
      // 'c' is gone at the server; 'd' was never here.
      candidates: ['a', 'b', 'c', 'd'],
    });
    expect(s.order).toEqual(['a', 'b']);
    expect(s.conversations.b?.conversation).toMatchObject({ state: 'ended', endReason: 'visitor' });
    expect(s.conversations.a?.conversation.state).toBe('active');
  });

  it('keeps a conversation assigned after the reconnect even if the list did not have it yet', () => {
    const s = run(assign('a'), assign('b'), { type: 'reconcile', conversations: [], candidates: ['a'] });
    expect(s.order).toEqual(['b']);
    expect(s.announcement).toMatchObject({ kind: 'gone', conversationId: 'a' });
  });
});

describe('recently ended, read back after a reload', () => {
  it('lists an ended conversation with its messages, unselected and unannounced; never an open one, never twice', () => {
    const ended = conversation('old', { state: 'ended', endReason: 'operator', endedAt: T1 });
    const s = run(
      assign('a'),
      { type: 'recent', conversation: ended, messages: [msg('m1', 'visitor')], notes: [] },
      { type: 'recent', conversation: ended, messages: [], notes: [] },
      { type: 'recent', conversation: conversation('open'), messages: [], notes: [] },
    );
    expect(s.order).toEqual(['a', 'old']);
    expect(s.selectedId).toBe('a');
    expect(s.conversations.old).toMatchObject({ unread: 0, messages: [{ messageId: 'm1' }] });
    expect(s.announcement).toMatchObject({ kind: 'assigned', conversationId: 'a' });
  });

  it('shows and counts open conversations before ended ones', () => {
    const s = run(assign('a'), assign('b'), assign('c'), {
      type: 'ended',
      conversationId: 'a',
      reason: 'visitor',
      at: T1,
    });
    expect(visibleOrder(s)).toEqual(['b', 'c', 'a']);
    const onC = workspaceReducer(s, { type: 'select', conversationId: 'c' });
    expect(neighbourId(onC, 1)).toBe('a');
  });
});
