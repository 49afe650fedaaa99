import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { ensureWidgetBuilt, type HostSite, launchChromium, startHostSite } from './widget-support.ts';

/**
 * The chat app's start screen arrives first; the conversation's chunk (socket.io-client,
 * zod, the conversation screen) and the other languages come after it
 * (widget/src/app/live.ts, widget/src/app/i18n.ts). When one of those requests fails, the
 * visitor sees why in their language, can try again, and quick exit works throughout.
 */

const LIVE_CHUNK = /\/chat\/assets\/live-[^/]+\.js$/;
const chunkOf = (lang: string) => new RegExp(`/chat/assets/${lang}-[^/]+\\.js$`);

describe('a lazily loaded chunk that does not arrive', () => {
  let host: HostSite;
  let t: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

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
    context = await browser.newContext();
    page = await context.newPage();
  });
  afterEach(async () => {
    await context?.close();
    await t?.close();
  });

  /** Fails every request for `pattern`; returns how many were made. */
  async function failRequests(pattern: RegExp): Promise<() => number> {
    let count = 0;
    await page.route(pattern, (route) => {
      count += 1;
      return route.abort('failed');
    });
    return () => count;
  }

  /** Quick exit leaves for the exit page with location.replace (no new history entry). */
  async function expectQuickExit(press: () => Promise<void>): Promise<void> {
    // Interception stays off during the exit navigation (see startSlowLine's note on route()).
    await page.unrouteAll({ behavior: 'ignoreErrors' });
    const historyLength = await page.evaluate(() => history.length);
    await press();
    await page.waitForURL(host.weatherUrl);
    expect(await page.evaluate(() => history.length)).toBe(historyLength);
  }

  it('the conversation’s chunk: Start says “no connection” in the page’s language, a second Start fetches it again and the conversation opens, quick exit by the button', async () => {
    const liveRequests = await failRequests(LIVE_CHUNK);
    await page.goto(`${t.url}/chat?lang=en`);
    await page.getByRole('heading', { name: 'Talk anonymously with a counsellor' }).waitFor();
    // Fetched (and failed) once the start screen was up, without any trace on screen.
    await expect.poll(liveRequests).toBeGreaterThanOrEqual(1);
    expect(await page.locator('[role=alert]').count()).toBe(0);

    await page.locator('[data-sl=role-victim]').check();
    await page.locator('[data-sl=start]').click();
    const alert = page.locator('.sl-error[role=alert]');
    await alert.waitFor();
    expect(await alert.textContent()).toBe('There is no connection right now. Please try again in a moment.');
    expect(await page.locator('[data-sl=start]').textContent()).toBe('Start the chat');
    expect(liveRequests()).toBeGreaterThanOrEqual(2);

    // The line is back: the same Start fetches the chunk and opens the conversation.
    await page.unrouteAll({ behavior: 'ignoreErrors' });
    await page.locator('[data-sl=start]').click();
    await page.getByRole('heading', { name: 'You are in the queue' }).waitFor();
    await page.locator('[data-sl=composer]').waitFor();

    await expectQuickExit(() => page.locator('[data-sl=quick-exit]').click({ noWaitAfter: true }));
  });

  it('the conversation’s chunk: a return code says it did not work, and Esc×2 still leaves', async () => {
    await failRequests(LIVE_CHUNK);
    await page.goto(`${t.url}/chat`);
    await page.locator('[data-sl=have-return-code]').click();
    await page.locator('[data-sl=return-code-input]').fill('ABCD-EFGH');
    await page.locator('[data-sl=resume]').click();
    await page.locator('.sl-error[role=alert]').waitFor();
    expect(await page.locator('[data-sl=resume]').getAttribute('aria-disabled')).toBe('false');

    await expectQuickExit(async () => {
      await page.locator('h1').click();
      for (let i = 0; i < 2; i++) await page.keyboard.press('Escape');
    });
  });

  it('another language’s catalogue: the screen stays in its language and says so, a later switch works, and Shift×3 still leaves', async () => {
    const turkish = await failRequests(chunkOf('tr'));
    await page.goto(`${t.url}/chat`);
    await page.getByRole('heading', { name: 'Praat anoniem met een hulpverlener' }).waitFor();
    await expect.poll(turkish).toBeGreaterThanOrEqual(1);

    await page.locator('[data-sl=language]').selectOption('tr');
    const failed = page.locator('[data-sl=language-failed]');
    await failed.waitFor();
    expect(await failed.textContent()).toBe('Er is nu geen verbinding. Probeer het zo opnieuw.');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('nl');
    await page.getByRole('heading', { name: 'Praat anoniem met een hulpverlener' }).waitFor();

    // English was fetched after the start screen: it needs no request now.
    await page.locator('[data-sl=language]').selectOption('en');
    await page.getByRole('heading', { name: 'Talk anonymously with a counsellor' }).waitFor();
    expect(await failed.count()).toBe(0);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');

    await expectQuickExit(async () => {
      await page.locator('h1').click();
      for (let i = 0; i < 3; i++) await page.keyboard.press('Shift');
    });
  });

  it('the page’s own language: the chat opens in Dutch, left to right, rather than not at all', async () => {
    const arabic = await failRequests(chunkOf('ar'));
    await page.goto(`${t.url}/chat?lang=ar`);
    await page.getByRole('heading', { name: 'Praat anoniem met een hulpverlener' }).waitFor();
    expect(arabic()).toBeGreaterThanOrEqual(1);
    expect(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual([
      'nl',
      'ltr',
    ]);
    await expectQuickExit(() => page.locator('[data-sl=quick-exit]').click({ noWaitAfter: true }));
  });
});
