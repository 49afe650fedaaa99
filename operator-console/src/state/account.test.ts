import { describe, expect, it } from 'vitest';
import { run, T1 } from './fixtures.ts';
import { workspaceReducer } from './workspace.ts';

describe('account', () => {
  it('keeps when a break ends only while on the break', () => {
    let s = run({ type: 'operator-state', status: 'break', load: 0, capacity: 3, breakUntil: T1 });
    expect(s).toMatchObject({ status: 'break', breakUntil: T1, load: 0, capacity: 3 });
    s = workspaceReducer(s, { type: 'operator-state', status: 'available' });
    expect(s).toMatchObject({ status: 'available', breakUntil: undefined, capacity: 3 });
    // A break chosen by hand has no end to show.
    s = workspaceReducer(s, { type: 'operator-state', status: 'break' });
    expect(s.breakUntil).toBeUndefined();
  });

  it('warns of the session limit until a new sign-in', () => {
    const warned = run({ type: 'session-expiring', at: T1 });
    expect(warned.sessionExpiresAt).toBe(T1);
    expect(workspaceReducer(warned, { type: 'session-expiring', at: T1 })).toBe(warned);
    expect(workspaceReducer(warned, { type: 'session-renewed' }).sessionExpiresAt).toBeUndefined();
  });
});
