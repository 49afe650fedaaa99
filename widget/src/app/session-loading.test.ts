import { describe, expect, it } from 'vitest';
import { ChatSession, type SocketClientSource } from './session.ts';

/** A socket client source whose fetch is settled by the test. */
function pendingSource() {
  const attempts: { resolve: () => void; reject: (err: Error) => void }[] = [];
  const source: SocketClientSource = {
    loaded: () => undefined,
    load: () =>
      new Promise((resolve, reject) => {
        attempts.push({ resolve: () => resolve({ io: (() => {}) as never }), reject });
      }),
  };
  return { source, attempts };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
const input = { role: 'victim', language: 'en', urgent: true, text: 'hallo' } as const;

describe('a session whose socket client is still on its way', () => {
  it('shows Start as under way, then “no connection” when the client cannot be fetched, and fetches again on the next Start', async () => {
    const { source, attempts } = pendingSource();
    const session = new ChatSession(undefined, source);
    session.start(input);
    expect(session.state).toMatchObject({
      phase: 'starting',
      urgent: true,
      language: 'en',
      failure: undefined,
    });
    attempts[0]!.reject(new Error('network'));
    await flush();
    expect(session.state).toMatchObject({ phase: 'idle', failure: 'start' });

    session.start(input);
    expect(attempts).toHaveLength(2);
    expect(session.state.phase).toBe('starting');
  });

  it('says a return code did not work when the client cannot be fetched', async () => {
    const { source, attempts } = pendingSource();
    const session = new ChatSession(undefined, source);
    session.resumeWithCode('ABCD-EFGH', 'nl');
    expect(session.state.phase).toBe('starting');
    attempts[0]!.reject(new Error('network'));
    await flush();
    expect(session.state).toMatchObject({ phase: 'idle', failure: 'return-code' });
  });

  it('forgets a Start the visitor left (quick exit) before the client came', async () => {
    const { source, attempts } = pendingSource();
    const session = new ChatSession(undefined, source);
    session.start(input);
    session.quickExit();
    attempts[0]!.reject(new Error('network'));
    await flush();
    expect(session.state).toMatchObject({ phase: 'idle', failure: undefined });
  });
});
