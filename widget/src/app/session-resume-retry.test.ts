import { afterEach, describe, expect, it, vi } from 'vitest';
import { talkingWithSanne } from '../../../test/support/fake-visitor-sockets.ts';

const timedOut = () => new Error('operation has timed out');
const resumed = (resumeToken: string) => ({
  ok: true,
  conversationId: 'c1',
  resumeToken,
  state: 'active',
  operatorName: 'Sanne',
  missed: [],
});

/** A visitor talking with Sanne whose connection just came back: her resume is out. */
function afterReconnect() {
  const { session, sockets, s } = talkingWithSanne();
  expect(session.state.phase).toBe('active');
  s.drop();
  expect(session.state.online).toBe(false);
  s.reconnect();
  expect(s.resumes().map((e) => e.payload)).toEqual([{ resumeToken: 'tok-1' }]);
  return { session, sockets, s };
}

/**
 * A token resume whose answer was lost may have rotated the token. The server answers a
 * retry from the same socket with the new token, and from any other socket finds the old
 * one spent (the conversation would be lost): so the widget asks again on the same socket.
 */
describe('a token resume after a drop that got no answer in time', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is asked again on the same socket, and the visitor goes on with the new token', async () => {
    vi.useFakeTimers();
    const { session, sockets, s } = afterReconnect();
    s.resumes()[0]!.ack(timedOut());
    vi.advanceTimersByTime(5_000);
    // The same connection, the same token.
    expect(sockets).toHaveLength(1);
    expect(s.disconnects).toBe(0);
    expect(s.resumes().map((e) => [e.payload, e.on])).toEqual([
      [{ resumeToken: 'tok-1' }, 'conn-1'],
      [{ resumeToken: 'tok-1' }, 'conn-1'],
    ]);
    s.resumes()[1]!.ack(null, resumed('tok-2'));
    await vi.advanceTimersByTimeAsync(0);
    expect(session.state).toMatchObject({ phase: 'active', online: true, operatorName: 'Sanne' });
    expect(session.state.endReason).toBeUndefined();
    // The next drop resumes with the token the retry brought.
    s.drop();
    s.reconnect();
    expect(s.resumes()[2]!.payload).toEqual({ resumeToken: 'tok-2' });
  });

  it('after 30 s without an answer starts over on a fresh connection', () => {
    vi.useFakeTimers();
    const { s } = afterReconnect();
    for (let i = 0; i < 20 && s.disconnects === 0; i++) {
      const resumes = s.resumes();
      resumes[resumes.length - 1]!.ack(timedOut());
      vi.advanceTimersByTime(10_000);
    }
    expect(s.disconnects).toBe(1);
    const asked = s.resumes().length;
    expect(asked).toBeGreaterThan(2);
    expect(asked).toBeLessThan(12);
    // The fresh connection resumes once, with the same token.
    s.reconnect();
    expect(s.resumes()).toHaveLength(asked + 1);
    expect(s.resumes()[asked]!.payload).toEqual({ resumeToken: 'tok-1' });
  });

  it('is not asked again on a connection that replaced that socket meanwhile', () => {
    vi.useFakeTimers();
    const { s } = afterReconnect();
    s.resumes()[0]!.ack(timedOut());
    // Gone and back before the retry: the new connection resumes by itself, once.
    s.drop();
    s.reconnect();
    vi.advanceTimersByTime(5_000);
    expect(s.resumes().map((e) => [e.payload, e.on])).toEqual([
      [{ resumeToken: 'tok-1' }, 'conn-1'],
      [{ resumeToken: 'tok-1' }, 'conn-2'],
    ]);
    expect(s.disconnects).toBe(0);
  });

  it('answered unavailable is still asked again on the same socket after 2 s', () => {
    vi.useFakeTimers();
    const { s } = afterReconnect();
    s.resumes()[0]!.ack(null, { ok: false, error: { code: 'unavailable', message: 'Try again.' } });
    vi.advanceTimersByTime(1_999);
    expect(s.resumes()).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(s.resumes().map((e) => e.on)).toEqual(['conn-1', 'conn-1']);
    expect(s.disconnects).toBe(0);
  });

  it('answered unavailable, then the socket replaced within the 2 s: only the new one resumes', () => {
    vi.useFakeTimers();
    const { s } = afterReconnect();
    s.resumes()[0]!.ack(null, { ok: false, error: { code: 'unavailable', message: 'Try again.' } });
    s.drop();
    s.reconnect();
    vi.advanceTimersByTime(5_000);
    expect(s.resumes().map((e) => e.on)).toEqual(['conn-1', 'conn-2']);
  });

  it('answered that it cannot be resumed is not asked again', () => {
    vi.useFakeTimers();
    const { session, s } = afterReconnect();
    s.resumes()[0]!.ack(null, {
      ok: false,
      error: { code: 'not_found', message: 'Not resumable.', reason: 'not_resumable' },
    });
    vi.advanceTimersByTime(60_000);
    expect(s.resumes()).toHaveLength(1);
    expect(session.state).toMatchObject({ phase: 'ended', endReason: 'lost' });
  });
});
