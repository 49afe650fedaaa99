import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collect, connectVisitor, emitAck } from '../support/clients.ts';
import { useWidgetPage } from './widget-harness.ts';
import {
  type CuttableProxy,
  EMPTY_STATE,
  nextAssignment,
  startProxy,
  storedState,
  watchTraceApis,
} from './widget-support.ts';

type AnyAck = { ok: boolean; [key: string]: unknown };

describe('a real network drop mid-chat', () => {
  const w = useWidgetPage({
    env: (host) => ({ OPERATOR_GRACE_S: '60', QUICK_EXIT_URL: host.weatherUrl }),
    operator: { displayName: 'Sanne Bakker', available: true },
  });
  let proxy: CuttableProxy;

  beforeEach(async () => {
    const port = Number(new URL(w.t.url).port);
    proxy = await startProxy(port);
  });
  afterEach(async () => {
    await proxy?.close();
  });

  it('shows a calm banner, resumes, shows every message exactly once and re-sends what was pending', async () => {
    const traceCalls = await watchTraceApis(w.context);
    // The visitor reaches the helpline only through the proxy; the operator directly.
    await w.page.goto(`${proxy.url}/chat`);
    const historyLength = await w.page.evaluate(() => history.length);
    const assigned = nextAssignment(w.operator);
    await w.page.locator('[data-sl=role-victim]').check();
    await w.page.locator('[data-sl=start]').click();
    const conversationId = await assigned;
    await w.page.getByRole('heading', { name: 'Je praat met Sanne' }).waitFor();

    const fromVisitor = collect<{ text: string; messageId: string }>(w.operator, 'chat:message');
    const operatorSays = (text: string, id: string) =>
      emitAck<AnyAck>(w.operator, 'chat:message', { conversationId, clientMessageId: id, text });
    expect((await operatorSays('Hoi, ik ben Sanne.', 'o0')).ok).toBe(true);
    await w.page.getByText('Hoi, ik ben Sanne.').waitFor();

    // The visitor sends, and the line goes down at once: the message may or may not have
    // reached the server, its ack certainly has not.
    const composer = w.page.locator('[data-sl=composer]');
    await composer.fill('Hij is net thuisgekomen');
    await composer.press('Enter');
    proxy.cut();
    await w.page.locator('[data-sl=offline-banner]').waitFor();
    expect(await w.page.locator('[data-sl=offline-banner]').textContent()).toBe(
      'De verbinding is even weg. We proberen het opnieuw; je berichten blijven bewaard.',
    );

    // The operator keeps writing; the visitor keeps writing too.
    const written = ['Ben je veilig?', 'Kun je een kamer in met een slot?', 'Ik blijf hier.'];
    for (const [i, text] of written.entries()) expect((await operatorSays(text, `o${i + 1}`)).ok).toBe(true);
    await composer.fill('Ja, de badkamer');
    await composer.press('Enter');
    const pendingLine = w.page.locator('[data-sl=message][data-from=visitor]').last();
    expect(await pendingLine.getAttribute('data-status')).toBe('pending');

    proxy.restore();
    await w.page.locator('[data-sl=offline-banner]').waitFor({ state: 'detached', timeout: 20_000 });
    await expect
      .poll(() =>
        w.page
          .locator('[data-sl=message][data-from=visitor]')
          .evaluateAll((els) => els.map((e) => e.getAttribute('data-status'))),
      )
      .toEqual(['sent', 'sent']);
    // And after the reconnect, life goes on.
    expect((await operatorSays('Goed zo.', 'o4')).ok).toBe(true);
    await w.page.getByText('Goed zo.').waitFor();

    const lines = await w.page
      .locator('[data-sl=message]')
      .evaluateAll((els) =>
        els.map((e) => `${e.getAttribute('data-from')}: ${e.querySelector('.sl-text')?.textContent}`),
      );
    expect(lines).toEqual([
      'operator: Hoi, ik ben Sanne.',
      'visitor: Hij is net thuisgekomen',
      'operator: Ben je veilig?',
      'operator: Kun je een kamer in met een slot?',
      'operator: Ik blijf hier.',
      'visitor: Ja, de badkamer',
      'operator: Goed zo.',
    ]);
    // The operator got each visitor message exactly once.
    await expect
      .poll(() => fromVisitor.map((m) => m.text).sort())
      .toEqual(['Hij is net thuisgekomen', 'Ja, de badkamer']);

    expect(traceCalls).toEqual([]);
    expect(await w.context.cookies()).toEqual([]);
    expect(await storedState(w.page)).toEqual(EMPTY_STATE);
    expect(await w.page.evaluate(() => history.length)).toBe(historyLength);
  });

  it('End pressed while the line is down clears at once, and ends the conversation once it is back', async () => {
    const traceCalls = await watchTraceApis(w.context);
    await w.page.goto(`${proxy.url}/chat`);
    const historyLength = await w.page.evaluate(() => history.length);
    const assigned = nextAssignment(w.operator);
    await w.page.locator('[data-sl=role-victim]').check();
    await w.page.locator('[data-sl=first-message]').fill('Hij mag dit niet zien');
    await w.page.locator('[data-sl=start]').click();
    const conversationId = await assigned;
    await w.page.getByRole('heading', { name: 'Je praat met Sanne' }).waitFor();
    const code = (await w.page.locator('[data-sl=return-code]').textContent())!;
    const left = collect<{ conversationId: string; reason: string }>(w.operator, 'chat:visitor-left');
    const ended = collect<{ conversationId: string; reason: string }>(w.operator, 'chat:ended');

    proxy.cut();
    await w.page.locator('[data-sl=offline-banner]').waitFor();
    await w.page.locator('[data-sl=end]').click();
    await w.page.locator('[data-sl=end-confirm]').click();
    // Cleared at once, without the network; the notice claims no more than the widget knows.
    await w.page.locator('[data-sl=start]').waitFor();
    const notice = w.page.getByRole('status').filter({ hasText: 'gewist' });
    expect
      .soft(await notice.textContent())
      .toBe('Het gesprek is van dit scherm gewist. We sluiten het af zodra er weer verbinding is.');
    const html = await w.page.content();
    expect(html).not.toContain('Hij mag dit niet zien');
    expect(html).not.toContain(code);
    expect(ended).toEqual([]);

    proxy.restore();
    // The widget comes back by itself and ends it: after the drop, the operator sees her leave.
    await expect.poll(() => ended, { timeout: 20_000 }).toEqual([{ conversationId, reason: 'visitor' }]);
    expect(left.map((l) => l.reason)).toEqual(['disconnected', 'ended']);
    // Whoever saw the return code on her screen cannot go on as her.
    const stranger = await connectVisitor(w.t.url);
    const res = await emitAck<AnyAck>(stranger, 'chat:resume', { returnCode: code });
    stranger.disconnect();
    expect(res).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await w.page.content()).not.toContain('Hij mag dit niet zien');

    expect(traceCalls).toEqual([]);
    expect(await w.context.cookies()).toEqual([]);
    expect(await storedState(w.page)).toEqual(EMPTY_STATE);
    expect(await w.page.evaluate(() => history.length)).toBe(historyLength);
  });

  it('after a return by code, a drop shows what was missed and still nothing from before the quick exit', async () => {
    await w.page.goto(`${proxy.url}/chat`);
    const assigned = nextAssignment(w.operator);
    await w.page.locator('[data-sl=role-victim]').check();
    await w.page.locator('[data-sl=first-message]').fill('Oud: eerste bericht');
    await w.page.locator('[data-sl=start]').click();
    const conversationId = await assigned;
    const code = (await w.page.locator('[data-sl=return-code]').textContent())!;
    await emitAck(w.operator, 'chat:message', {
      conversationId,
      clientMessageId: 'o1',
      text: 'Oud: antwoord',
    });
    await w.page.getByText('Oud: antwoord').waitFor();
    await w.page.locator('[data-sl=quick-exit]').click();
    await w.page.waitForURL(w.host.weatherUrl);

    await w.page.goto(`${proxy.url}/chat`);
    await w.page.locator('[data-sl=have-return-code]').click();
    await w.page.locator('[data-sl=return-code-input]').fill(code);
    await w.page.locator('[data-sl=resume]').click();
    await w.page.getByRole('heading', { name: 'Je praat met Sanne' }).waitFor();
    // A drop before anything new was said: the resume must not bring the old messages back.
    proxy.cut();
    await w.page.locator('[data-sl=offline-banner]').waitFor();
    proxy.restore();
    await w.page.locator('[data-sl=offline-banner]').waitFor({ state: 'detached', timeout: 20_000 });
    expect(await w.page.locator('[data-sl=message]').count()).toBe(0);
    expect(await w.page.content()).not.toContain('Oud:');

    await emitAck(w.operator, 'chat:message', {
      conversationId,
      clientMessageId: 'o2',
      text: 'Nieuw: welkom terug.',
    });
    await w.page.getByText('Nieuw: welkom terug.').waitFor();

    proxy.cut();
    await w.page.locator('[data-sl=offline-banner]').waitFor();
    const duringDrop = await emitAck<AnyAck>(w.operator, 'chat:message', {
      conversationId,
      clientMessageId: 'o3',
      text: 'Nieuw: ben je er nog?',
    });
    expect(duringDrop.ok).toBe(true);
    proxy.restore();
    await w.page.locator('[data-sl=offline-banner]').waitFor({ state: 'detached', timeout: 20_000 });
    await w.page.getByText('Nieuw: ben je er nog?').waitFor();
    const lines = await w.page.locator('[data-sl=message] .sl-text').allTextContents();
    expect(lines).toEqual(['Nieuw: welkom terug.', 'Nieuw: ben je er nog?']);
    expect(await w.page.content()).not.toContain('Oud:');
  });

  it('keeps trying after the server refuses the reconnect, and is back once it accepts again, past the connection rate too', async () => {
    await w.page.goto(`${proxy.url}/chat`);
    const assigned = nextAssignment(w.operator);
    await w.page.locator('[data-sl=role-victim]').check();
    await w.page.locator('[data-sl=start]').click();
    const conversationId = await assigned;
    await w.page.getByRole('heading', { name: 'Je praat met Sanne' }).waitFor();

    // Every connection of the address counts (its per-minute budget): here, her attempts.
    const [budget] = await w.t.app.redis.keys(`${w.t.config.redisPrefix}:throttle:conn:*`);
    expect(budget).toBeDefined();
    await w.t.app.redis.pexpire(budget!, 600_000);
    const before = Number(await w.t.app.redis.get(budget!));
    const attempts = async () => Number(await w.t.app.redis.get(budget!)) - before;
    // What refuses her reconnect: Redis failing the handshake (`unavailable`), here because the
    // address's idle-socket set holds a value of the wrong type, so counting her socket fails.
    const addressHash = budget!.slice(budget!.lastIndexOf(':') + 1);
    const idleSet = w.t.app.keys.join('sockets', 'visitor', addressHash);
    await w.t.app.redis.set(idleSet, 'not a sorted set');

    proxy.cut();
    await w.page.locator('[data-sl=offline-banner]').waitFor();
    proxy.restore();
    // Refused once by the reconnect, and then tried again: the client itself gives up
    // after a refusal, so the widget has to come back on its own.
    await expect.poll(attempts, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    expect(await w.page.locator('[data-sl=offline-banner]').count()).toBe(1);

    // Someone on her Wi-Fi has used up the address's connections of this minute: that alone
    // never refuses her reconnect (it only keeps a new start out), and a socket past the rate
    // takes no place among the idle ones, so the broken set is not even asked.
    await w.t.app.redis.set(budget!, 1_000_000, 'KEEPTTL');
    await w.page.locator('[data-sl=offline-banner]').waitFor({ state: 'detached', timeout: 20_000 });
    expect(Number(await w.t.app.redis.get(budget!))).toBeGreaterThan(1_000_000);
    await w.t.app.redis.del(idleSet);
    expect(
      (
        await emitAck<AnyAck>(w.operator, 'chat:message', {
          conversationId,
          clientMessageId: 'o1',
          text: 'Ik ben er weer.',
        })
      ).ok,
    ).toBe(true);
    await w.page.getByText('Ik ben er weer.').waitFor();
    const fromVisitor = collect<{ text: string }>(w.operator, 'chat:message');
    await w.page.locator('[data-sl=composer]').fill('Ik ook');
    await w.page.locator('[data-sl=composer]').press('Enter');
    await expect.poll(() => fromVisitor.map((m) => m.text)).toEqual(['Ik ook']);
  });
});
