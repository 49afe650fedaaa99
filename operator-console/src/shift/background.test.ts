import type { WaitingItem } from '@stille-lijn/shared';
import { describe, expect, it } from 'vitest';
import { assign, msg, run, T0 } from '../state/fixtures.ts';
import { workspaceReducer } from '../state/workspace.ts';
import { backgroundEvents, pendingCount, tabTitle } from './background.ts';

const waiting = (id: string, urgent = false): WaitingItem => ({
  conversationId: id,
  role: 'victim',
  language: 'nl',
  urgent,
  waitingSince: T0,
});

describe('alerts on the operator’s device', () => {
  it('counts waiting conversations and unread visitor messages for the tab title', () => {
    let s = run({ type: 'queue', waiting: [waiting('w1'), waiting('w2')] }, assign('a'), assign('b'));
    s = workspaceReducer(s, { type: 'message', conversationId: 'b', message: msg('m1', 'visitor') });
    expect(pendingCount(s)).toBe(3);
    const withCount = (n: number, title: string) => `(${n}) ${title}`;
    expect(tabTitle(3, 'Stille Lijn', withCount)).toBe('(3) Stille Lijn');
    expect(tabTitle(0, 'Stille Lijn', withCount)).toBe('Stille Lijn');
  });

  it('tells of an assignment, a visitor back and a new urgent waiter, each once', () => {
    const before = run({ type: 'queue', waiting: [waiting('w1', true)] });
    const assigned = workspaceReducer(before, assign('a'));
    expect(backgroundEvents(before, assigned)).toEqual(['assigned']);
    expect(backgroundEvents(assigned, assigned)).toEqual([]);
    // The same urgent waiter again is no news; a new one is.
    const same = workspaceReducer(assigned, { type: 'queue', waiting: [waiting('w1', true)] });
    expect(backgroundEvents(assigned, same)).toEqual([]);
    const urgent = workspaceReducer(same, {
      type: 'queue',
      waiting: [waiting('w1', true), waiting('w2', true)],
    });
    expect(backgroundEvents(same, urgent)).toEqual(['urgent-waiting']);
    const back = workspaceReducer(urgent, { type: 'visitor-returned', conversationId: 'a', at: T0 });
    expect(backgroundEvents(urgent, back)).toEqual(['visitor-returned']);
    const alerted = workspaceReducer(back, {
      type: 'alert',
      alert: { kind: 'urgent-waiting', conversationId: 'w1', waitedSeconds: 60, at: T0 },
    });
    expect(backgroundEvents(back, alerted)).toEqual(['urgent-waiting']);
  });
});
