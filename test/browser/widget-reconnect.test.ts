import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { collect, emitAck, type OperatorSocket } from '../support/clients.ts';
import {
  type CuttableProxy,
  EMPTY_STATE,
  ensureWidgetBuilt,
  type HostSite,
  launchChromium,
  nextAssignment,
  signInOperator,
  startHostSite,
  startProxy,
  storedState,
  watchTraceApis,
} from './widget-support.ts';

type AnyAck = { ok: boolean; [key: string]: unknown };

describe('a real network drop mid-chat', () => {
  let t: TestApp;
  let proxy: CuttableProxy;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let operator: OperatorSocket;
  let host: HostSite;

  beforeAll(async () => {
    ensureWidgetBuilt();
    host = await startHostSite();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await host?.close();
  });
  beforeEach(async () => {
    t = await startTestApp({ OPERATOR_GRACE_S: '60', QUICK_EXIT_URL: host.weatherUrl });
    const port = Number(new URL(t.url).port);
    proxy = await startProxy(port);
    operator = await signInOperator(t, { displayName: 'Sanne Bakker', available: true });
    context = await browser.newContext();
    page = await context.newPage();
  });
  afterEach(async () => {
    operator?.disconnect();
    await context?.close();
    await proxy?.close();
    await t?.close();
  });

  it('shows a calm banner, resumes, shows every message exactly once and re-sends what was pending', async () => {
    const traceCalls = await watchTraceApis(context);
    // The visitor reaches the helpline only through the proxy; the operator directly.
    await page.goto(`${proxy.url}/chat`);
    const historyLength = await page.evaluate(() => history.length);
    const assigned = nextAssignment(operator);
    await page.locator('[data-sl=role-victim]').check();
    await page.locator('[data-sl=start]').click();
    const conversationId = await assigned;
    await page.getByRole('heading', { name: 'Je praat met Sanne' }).waitFor();

    const fromVisitor = collect<{ text: string; messageId: string }>(operator, 'chat:message');
    const operatorSays = (text: string, id: string) =>
      emitAck<AnyAck>(operator, 'chat:message', { conversationId, clientMessageId: id, text });
    expect((await operatorSays('Hoi, ik ben Sanne.', 'o0')).ok).toBe(true);
    await page.getByText('Hoi, ik ben Sanne.').waitFor();

    // The visitor sends, and the line goes down at once: the message may or may not have
    // reached the server, its ack certainly has not.
    const composer = page.locator('[data-sl=composer]');
    await composer.fill('Hij is net thuisgekomen');
    await composer.press('Enter');
    proxy.cut();
    await page.locator('[data-sl=offline-banner]').waitFor();
    expect(await page.locator('[data-sl=offline-banner]').textContent()).toBe(
      'De verbinding is even weg. We proberen het opnieuw; je berichten blijven bewaard.',
    );

    // The operator keeps writing; the visitor keeps writing too.
    const written = ['Ben je veilig?', 'Kun je een kamer in met een slot?', 'Ik blijf hier.'];
    for (const [i, text] of written.entries()) expect((await operatorSays(text, `o${i + 1}`)).ok).toBe(true);
    await composer.fill('Ja, de badkamer');
    await composer.press('Enter');
    const pendingLine = page.locator('[data-sl=message][data-from=visitor]').last();
    expect(await pendingLine.getAttribute('data-status')).toBe('pending');

    proxy.restore();
    await page.locator('[data-sl=offline-banner]').waitFor({ state: 'detached', timeout: 20_000 });
    await expect
      .poll(() =>
        page
          .locator('[data-sl=message][data-from=visitor]')
          .evaluateAll((els) => els.map((e) => e.getAttribute('data-status'))),
      )
      .toEqual(['sent', 'sent']);
    // And after the reconnect, life goes on.
    expect((await operatorSays('Goed zo.', 'o4')).ok).toBe(true);
    await page.getByText('Goed zo.').waitFor();

    const lines = await page
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
    expect(await context.cookies()).toEqual([]);
    expect(await storedState(page)).toEqual(EMPTY_STATE);
    expect(await page.evaluate(() => history.length)).toBe(historyLength);
  });

  it('after a return by code, a drop shows what was missed and still nothing from before the quick exit', async () => {
    await page.goto(`${proxy.url}/chat`);
    const assigned = nextAssignment(operator);
    await page.locator('[data-sl=role-victim]').check();
    await page.locator('[data-sl=first-message]').fill('Oud: eerste bericht');
    await page.locator('[data-sl=start]').click();
    const conversationId = await assigned;
    const code = (await page.locator('[data-sl=return-code]').textContent())!;
    await emitAck(operator, 'chat:message', { conversationId, clientMessageId: 'o1', text: 'Oud: antwoord' });
    await page.getByText('Oud: antwoord').waitFor();
    await page.locator('[data-sl=quick-exit]').click();
    await page.waitForURL(host.weatherUrl);

    await page.goto(`${proxy.url}/chat`);
    await page.locator('[data-sl=have-return-code]').click();
    await page.locator('[data-sl=return-code-input]').fill(code);
    await page.locator('[data-sl=resume]').click();
    await page.getByRole('heading', { name: 'Je praat met Sanne' }).waitFor();
    // A drop before anything new was said: the resume must not bring the old messages back.
    proxy.cut();
    await page.locator('[data-sl=offline-banner]').waitFor();
    proxy.restore();
    await page.locator('[data-sl=offline-banner]').waitFor({ state: 'detached', timeout: 20_000 });
    expect(await page.locator('[data-sl=message]').count()).toBe(0);
    expect(await page.content()).not.toContain('Oud:');

    await emitAck(operator, 'chat:message', {
      conversationId,
      clientMessageId: 'o2',
      text: 'Nieuw: welkom terug.',
    });
    await page.getByText('Nieuw: welkom terug.').waitFor();

    proxy.cut();
    await page.locator('[data-sl=offline-banner]').waitFor();
    const duringDrop = await emitAck<AnyAck>(operator, 'chat:message', {
      conversationId,
      clientMessageId: 'o3',
      text: 'Nieuw: ben je er nog?',
    });
    expect(duringDrop.ok).toBe(true);
    proxy.restore();
    await page.locator('[data-sl=offline-banner]').waitFor({ state: 'detached', timeout: 20_000 });
    await page.getByText('Nieuw: ben je er nog?').waitFor();
    const lines = await page.locator('[data-sl=message] .sl-text').allTextContents();
    expect(lines).toEqual(['Nieuw: welkom terug.', 'Nieuw: ben je er nog?']);
    expect(await page.content()).not.toContain('Oud:');
  });

  it('keeps trying after the server refuses the reconnect, and is back once it accepts again', async () => {
    await page.goto(`${proxy.url}/chat`);
    const assigned = nextAssignment(operator);
    await page.locator('[data-sl=role-victim]').check();
    await page.locator('[data-sl=start]').click();
    const conversationId = await assigned;
    await page.getByRole('heading', { name: 'Je praat met Sanne' }).waitFor();

    // The address has used up its connection budget: every new connection is refused
    // (`rate_limited`) until the counter goes. Each attempt still counts.
    const [budget] = await t.app.redis.keys(`${t.config.redisPrefix}:throttle:conn:*`);
    expect(budget).toBeDefined();
    const attempts = async () => Number(await t.app.redis.get(budget!)) - 1_000_000;
    await t.app.redis.set(budget!, 1_000_000, 'KEEPTTL');

    proxy.cut();
    await page.locator('[data-sl=offline-banner]').waitFor();
    proxy.restore();
    // Refused once by the reconnect, and then tried again: the client itself gives up
    // after a refusal, so the widget has to come back on its own.
    await expect.poll(attempts, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    expect(await page.locator('[data-sl=offline-banner]').count()).toBe(1);

    await t.app.redis.del(budget!);
    await page.locator('[data-sl=offline-banner]').waitFor({ state: 'detached', timeout: 20_000 });
    expect(
      (
        await emitAck<AnyAck>(operator, 'chat:message', {
          conversationId,
          clientMessageId: 'o1',
          text: 'Ik ben er weer.',
        })
      ).ok,
    ).toBe(true);
    await page.getByText('Ik ben er weer.').waitFor();
    const fromVisitor = collect<{ text: string }>(operator, 'chat:message');
    await page.locator('[data-sl=composer]').fill('Ik ook');
    await page.locator('[data-sl=composer]').press('Enter');
    await expect.poll(() => fromVisitor.map((m) => m.text)).toEqual(['Ik ook']);
  });
});
