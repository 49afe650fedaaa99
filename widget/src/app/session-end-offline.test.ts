import { afterEach, describe, expect, it, vi } from 'vitest';
import { talkingWithSanne } from '../../../test/support/fake-visitor-sockets.ts';
import { CLEARED_NOTICE_MS } from './session.ts';

const timedOut = () => new Error('operation has timed out');
const resumed = (resumeToken: string, state = 'active') => ({
  ok: true,
  conversationId: 'c1',
  resumeToken,
  state,
  operatorName: 'Sanne',
  missed: [{ messageId: 'm9', from: 'operator', text: 'Ben je er nog?', at: '2025-01-01T00:00:00.000Z' }],
});
const notResumable = {
  ok: false,
  error: { code: 'not_found', message: 'This conversation cannot be resumed.', reason: 'not_resumable' },
};

/** A visitor talking with Sanne, her return code on screen. */
function talking(opts: Parameters<typeof talkingWithSanne>[0] = {}) {
  const { session, sockets, s } = talkingWithSanne(opts);
  s.fire('chat:message', { messageId: 'm1', from: 'operator', text: 'Hoi, ik ben Sanne.', at: '' });
  expect(session.state).toMatchObject({ phase: 'active', returnCode: 'ZON-00001-TULP' });
  return { session, sockets, s };
}

/** Nothing of the conversation on screen: the start screen with the notice, if any. */
const blank = { phase: 'idle', entries: [], returnCode: undefined, operatorName: undefined };

/**
 * End pressed while the connection is down (or coming back) must still end the conversation:
 * else the operator only sees "disconnected", it stays open, and whoever saw the return code
 * on her screen can use it for the rest of the return window and go on as her.
 */
describe('End pressed while the connection is down', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('clears the screen at once, then resumes by token and leaves as ended once the connection is back', () => {
    vi.useFakeTimers();
    const { session, sockets, s } = talking();
    s.drop();
    session.end();
    // At once, without the network: nothing of the conversation is left on screen.
    expect(session.state).toMatchObject({ ...blank, cleared: true });

    s.reconnect();
    // On the same socket: no other connection was opened.
    expect(sockets).toHaveLength(1);
    expect(s.events()).toEqual(['chat:start', 'chat:resume']);
    expect(s.last('chat:resume')).toMatchObject({ payload: { resumeToken: 'tok-1' }, on: 'conn-1' });
    s.last('chat:resume').ack(null, resumed('tok-2'));
    expect(s.events()).toEqual(['chat:start', 'chat:resume', 'chat:leave']);
    expect(s.last('chat:leave')).toMatchObject({ payload: { reason: 'ended' }, on: 'conn-1' });
    // What the resume brought, and anything pushed to that socket, never reaches the screen.
    s.fire('chat:message', { messageId: 'm10', from: 'operator', text: 'Hallo?', at: '' });
    s.fire('chat:assigned', { operatorName: 'Sanne' });
    expect(session.state).toMatchObject({ ...blank, cleared: true });

    s.last('chat:leave').ack(null, { ok: true });
    expect(s.disconnects).toBe(1);
    // Done: a later connection of that socket asks nothing.
    s.reconnect();
    vi.advanceTimersByTime(60_000);
    expect(s.events()).toEqual(['chat:start', 'chat:resume', 'chat:leave']);
  });

  it('says the end is still to come until the server confirms it, then that it is over', () => {
    vi.useFakeTimers();
    const { session, s } = talking();
    s.drop();
    session.end();
    expect(session.state).toMatchObject({ cleared: true, endPending: true });
    s.reconnect();
    s.last('chat:resume').ack(null, resumed('tok-2'));
    expect(session.state.endPending).toBe(true);
    s.last('chat:leave').ack(null, { ok: true });
    expect(session.state).toMatchObject({ cleared: true, endPending: false });
    vi.advanceTimersByTime(CLEARED_NOTICE_MS);
    expect(session.state).toMatchObject({ cleared: false, endPending: false });
  });

  it('when online, says it is over at once, and that it is still to come if the leave fails', () => {
    vi.useFakeTimers();
    const { session, s } = talking();
    session.end();
    expect(session.state).toMatchObject({ ...blank, cleared: true, endPending: false });
    expect(s.last('chat:leave')).toMatchObject({ payload: { reason: 'ended' }, on: 'conn-0' });
    s.last('chat:leave').ack(null, { ok: false, error: { code: 'unavailable', message: 'Try again.' } });
    expect(session.state).toMatchObject({ cleared: true, endPending: true });
    expect(s.disconnects).toBe(0);
    // Asked again on that connection: back by token, then the leave once more.
    vi.advanceTimersByTime(2_000);
    expect(s.last('chat:resume')).toMatchObject({ payload: { resumeToken: 'tok-1' }, on: 'conn-0' });
    s.last('chat:resume').ack(null, resumed('tok-2'));
    expect(s.events().filter((e) => e === 'chat:leave')).toHaveLength(2);
    s.last('chat:leave').ack(null, { ok: true });
    expect(session.state).toMatchObject({ cleared: true, endPending: false });
    expect(s.disconnects).toBe(1);
  });

  it('while a resume is under way, leaves at once on that connection (the server takes the leave after it)', () => {
    vi.useFakeTimers();
    const { session, s } = talking();
    s.drop();
    s.reconnect();
    const inFlight = s.last('chat:resume');
    expect(inFlight).toMatchObject({ payload: { resumeToken: 'tok-1', lastMessageId: 'm1' }, on: 'conn-1' });
    session.end();
    expect(session.state).toMatchObject({ ...blank, cleared: true, endPending: true });
    expect(s.last('chat:leave')).toMatchObject({ payload: { reason: 'ended' }, on: 'conn-1' });
    // That resume's answer changes nothing on screen.
    inFlight.ack(null, resumed('tok-2'));
    expect(session.state).toMatchObject({ ...blank, cleared: true });
    s.last('chat:leave').ack(null, { ok: true });
    expect(session.state.endPending).toBe(false);
    expect(s.events().filter((e) => e === 'chat:resume')).toHaveLength(1);
    expect(s.disconnects).toBe(1);
  });

  it('a resume under way at End gives the ending its new token, should the leave find no conversation yet', () => {
    vi.useFakeTimers();
    const { session, s } = talking();
    s.drop();
    s.reconnect();
    const inFlight = s.last('chat:resume');
    session.end();
    s.last('chat:leave').ack(null, {
      ok: false,
      error: { code: 'not_found', message: 'There is no conversation on this connection.' },
    });
    inFlight.ack(null, resumed('tok-2'));
    vi.advanceTimersByTime(2_000);
    expect(s.last('chat:resume')).toMatchObject({ payload: { resumeToken: 'tok-2' }, on: 'conn-1' });
    s.last('chat:resume').ack(null, resumed('tok-3'));
    s.last('chat:leave').ack(null, { ok: true });
    expect(session.state).toMatchObject({ ...blank, cleared: true, endPending: false });
    expect(s.disconnects).toBe(1);
  });

  it('a leave lost in another drop goes again after the next reconnect, with the newest token', () => {
    vi.useFakeTimers();
    const { session, s } = talking();
    s.drop();
    session.end();
    s.reconnect();
    s.last('chat:resume').ack(null, resumed('tok-2'));
    const lost = s.last('chat:leave');
    s.drop();
    lost.ack(timedOut());
    expect(session.state.endPending).toBe(true);
    s.reconnect();
    expect(s.last('chat:resume')).toMatchObject({ payload: { resumeToken: 'tok-2' }, on: 'conn-2' });
    s.last('chat:resume').ack(null, resumed('tok-3'));
    expect(s.last('chat:leave')).toMatchObject({ payload: { reason: 'ended' }, on: 'conn-2' });
    s.last('chat:leave').ack(null, { ok: true });
    expect(session.state).toMatchObject({ ...blank, cleared: true, endPending: false });
    expect(s.events()).toEqual(['chat:start', 'chat:resume', 'chat:leave', 'chat:resume', 'chat:leave']);
  });

  it('stops when the token opens nothing any more (the conversation is over)', () => {
    vi.useFakeTimers();
    const { session, s } = talking();
    s.drop();
    session.end();
    s.reconnect();
    s.last('chat:resume').ack(null, notResumable);
    expect(s.events()).not.toContain('chat:leave');
    expect(s.disconnects).toBe(1);
    s.reconnect();
    vi.advanceTimersByTime(60_000);
    expect(s.events()).toEqual(['chat:start', 'chat:resume']);
  });

  it("goes on for the deployment's return window (RETURN_WINDOW_MIN 60), until the server says it is over", () => {
    vi.useFakeTimers();
    const { session, s } = talking({ returnWindowMinutes: 60 });
    s.drop();
    session.end();
    vi.advanceTimersByTime(45 * 60_000);
    expect(s.disconnects).toBe(0);
    s.reconnect();
    expect(s.resumes().map((e) => e.payload)).toEqual([{ resumeToken: 'tok-1' }]);
    // The window closed meanwhile: the token opens nothing any more, and it stops.
    s.last('chat:resume').ack(null, notResumable);
    expect(s.disconnects).toBe(1);
  });

  it('gives up, and forgets the token, a minute after the return window (15 minutes here) is over', () => {
    vi.useFakeTimers();
    const { session, s } = talking({ returnWindowMinutes: 15 });
    s.drop();
    session.end();
    vi.advanceTimersByTime(15 * 60_000);
    expect(s.disconnects).toBe(0);
    vi.advanceTimersByTime(60_000);
    expect(s.disconnects).toBe(1);
    s.reconnect();
    expect(s.events()).toEqual(['chat:start']);
  });

  it('asks again after refused connections, doubling to 30 s apart', () => {
    vi.useFakeTimers();
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const { session, s } = talking();
    s.drop();
    session.end();
    // The server refuses each connection (a line under load, Redis away): the client does
    // not try again by itself.
    s.socket.active = false;
    const gaps: number[] = [];
    for (let i = 0; i < 6; i++) {
      const before = s.connects;
      s.fire('connect_error', new Error('refused'));
      let waited = 0;
      while (s.connects === before && waited < 120_000) {
        vi.advanceTimersByTime(1_000);
        waited += 1_000;
      }
      gaps.push(waited);
    }
    expect(gaps).toEqual([2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
  });

  it('a leave the server cannot take now is asked again, doubling to 30 s apart, or as long as it asks', () => {
    vi.useFakeTimers();
    const { session, s } = talking();
    session.end();
    const notNow = (retryAfterSeconds?: number) => ({
      ok: false,
      error: {
        code: 'unavailable',
        message: 'Try again later.',
        ...(retryAfterSeconds ? { retryAfterSeconds } : {}),
      },
    });
    const gaps: number[] = [];
    for (const asked of [undefined, undefined, undefined, undefined, undefined, undefined, 45]) {
      s.last('chat:leave').ack(null, notNow(asked));
      const before = s.resumes().length;
      let waited = 0;
      while (s.resumes().length === before && waited < 120_000) {
        vi.advanceTimersByTime(1_000);
        waited += 1_000;
      }
      gaps.push(waited);
      // Back by token on the same connection, then the leave once more.
      s.last('chat:resume').ack(null, resumed(`tok-${gaps.length + 1}`));
    }
    expect(gaps).toEqual([2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 45_000]);
    expect(s.last('chat:leave').payload).toEqual({ reason: 'ended' });
    expect(s.disconnects).toBe(0);
  });

  it('stops at once on a quick exit, also between two tries', () => {
    vi.useFakeTimers();
    const { session, s } = talking();
    session.end();
    s.last('chat:leave').ack(null, { ok: false, error: { code: 'unavailable', message: 'Try again.' } });
    session.quickExit();
    expect(s.disconnects).toBe(1);
    vi.advanceTimersByTime(60_000);
    expect(s.events()).toEqual(['chat:start', 'chat:leave']);
  });

  it('stops at once on a quick exit', () => {
    vi.useFakeTimers();
    const { session, s } = talking();
    s.drop();
    session.end();
    session.quickExit();
    expect(s.disconnects).toBe(1);
    s.reconnect();
    vi.advanceTimersByTime(60_000);
    expect(s.events()).toEqual(['chat:start']);
  });
});
