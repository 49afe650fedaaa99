import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChatSession, CLEARED_NOTICE_MS } from './session.ts';

const source = { loaded: () => undefined, load: () => new Promise<never>(() => {}) };

/**
 * The notice that a conversation was ended and cleared tells whoever opens the widget next
 * that there was one: on a phone the abuser checks, it must not wait for him.
 */
describe('the notice that a conversation was ended and cleared', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('goes by itself after a few seconds', () => {
    vi.useFakeTimers();
    const session = new ChatSession(undefined, source);
    session.end();
    expect(session.state.cleared).toBe(true);
    vi.advanceTimersByTime(CLEARED_NOTICE_MS - 1);
    expect(session.state.cleared).toBe(true);
    vi.advanceTimersByTime(1);
    expect(session.state.cleared).toBe(false);
  });

  it('goes at once when the widget is hidden, and a later end shows it again for its full time', () => {
    vi.useFakeTimers();
    const session = new ChatSession(undefined, source);
    session.end();
    vi.advanceTimersByTime(CLEARED_NOTICE_MS / 2);
    session.hideClearedNotice();
    expect(session.state.cleared).toBe(false);
    session.end();
    vi.advanceTimersByTime(CLEARED_NOTICE_MS - 1);
    expect(session.state.cleared).toBe(true);
  });
});
