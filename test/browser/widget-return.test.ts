import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { collect, emitAck, nextEvent, type OperatorSocket } from '../support/clients.ts';
import {
  EMPTY_STATE,
  ensureWidgetBuilt,
  type HostSite,
  launchChromium,
  nextAssignment,
  signInOperator,
  startHostSite,
  storedState,
  watchTraceApis,
} from './widget-support.ts';

describe('coming back with a return code after a quick exit', () => {
  let host: HostSite;
  let t: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let operator: OperatorSocket;

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
    t = await startTestApp({ QUICK_EXIT_URL: host.weatherUrl });
    operator = await signInOperator(t, {
      displayName: 'Fatma Yilmaz',
      languages: ['nl', 'ar'],
      available: true,
    });
    context = await browser.newContext();
    page = await context.newPage();
  });
  afterEach(async () => {
    operator?.disconnect();
    await context?.close();
    await t?.close();
  });

  it('resumes the same conversation showing nothing from before, with a fresh code, and leaves no trace', async () => {
    const traceCalls = await watchTraceApis(context);
    await page.goto(`${t.url}/chat`);
    const historyLength = await page.evaluate(() => history.length);
    const assigned = nextAssignment(operator);
    await page.locator('[data-sl=role-victim]').check();
    await page.locator('[data-sl=first-message]').fill('Mijn man leest mee');
    await page.locator('[data-sl=start]').click();
    const conversationId = await assigned;
    const firstCode = (await page.locator('[data-sl=return-code]').textContent())!;
    await page.getByRole('heading', { name: 'Je praat met Fatma' }).waitFor();
    await emitAck(operator, 'chat:message', { conversationId, clientMessageId: 'o1', text: 'Ik ben er.' });
    await page.getByText('Ik ben er.').waitFor();

    const left = nextEvent<{ conversationId: string; reason: string }>(operator, 'chat:visitor-left');
    await page.locator('[data-sl=quick-exit]').click();
    await page.waitForURL(host.weatherUrl);
    expect(await left).toMatchObject({ conversationId, reason: 'quick-exit' });
    expect(await page.evaluate(() => history.length)).toBe(historyLength);
    // Nothing left behind by the quick exit.
    expect(traceCalls).toEqual([]);
    expect(await context.cookies()).toEqual([]);

    // Later, a new page: the return code brings the visitor back.
    const returned = nextEvent<{ conversationId: string }>(operator, 'chat:visitor-returned');
    await page.goto(`${t.url}/chat`);
    const backHistory = await page.evaluate(() => history.length);
    await page.locator('[data-sl=have-return-code]').click();
    await page.locator('[data-sl=return-code-input]').fill(firstCode.toLowerCase());
    await page.locator('[data-sl=resume]').click();
    await page.getByRole('heading', { name: 'Je praat met Fatma' }).waitFor();
    expect((await returned).conversationId).toBe(conversationId);

    // Nothing of before is shown again; a fresh single-use code is.
    expect(await page.locator('[data-sl=message]').count()).toBe(0);
    expect(await page.content()).not.toContain('Mijn man leest mee');
    expect(await page.content()).not.toContain('Ik ben er.');
    const secondCode = await page.locator('[data-sl=return-code]').textContent();
    expect(secondCode).toMatch(/^[A-Z]+-\d{5}-[A-Z]+$/);
    expect(secondCode).not.toBe(firstCode);

    // The same conversation carries on, both ways.
    const fromVisitor = collect<{ conversationId: string; text: string }>(operator, 'chat:message');
    await page.locator('[data-sl=composer]').fill('Ik ben terug');
    await page.locator('[data-sl=composer]').press('Enter');
    await expect
      .poll(() => fromVisitor)
      .toEqual([expect.objectContaining({ conversationId, text: 'Ik ben terug' })]);
    await emitAck(operator, 'chat:message', { conversationId, clientMessageId: 'o2', text: 'Welkom terug.' });
    await page.getByText('Welkom terug.').waitFor();
    expect(await page.locator('[data-sl=message]').count()).toBe(2);

    // The first code was single-use.
    const other = await context.newPage();
    await other.goto(`${t.url}/chat`);
    await other.locator('[data-sl=have-return-code]').click();
    await other.locator('[data-sl=return-code-input]').fill(firstCode);
    await other.locator('[data-sl=resume]').click();
    await other.getByRole('alert').getByText('Deze code werkt niet (meer).', { exact: false }).waitFor();
    await other.close();

    expect(traceCalls).toEqual([]);
    expect(await context.cookies()).toEqual([]);
    expect(await storedState(page)).toEqual(EMPTY_STATE);
    expect(await page.evaluate(() => history.length)).toBe(backHistory);
  });
});
