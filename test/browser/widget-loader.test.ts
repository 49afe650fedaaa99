import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  chatFrame,
  ensureWidgetBuilt,
  type HostSite,
  launchChromium,
  startHostSite,
  watchCspViolations,
} from './widget-support.ts';

/** The element focused inside the loader's shadow roots, as its data-sl name. */
const focusedHook = (page: Page) =>
  page.evaluate(() => {
    const host = document.activeElement;
    const inner = host?.shadowRoot?.activeElement ?? host;
    return (inner as HTMLElement | null)?.dataset.sl ?? inner?.tagName ?? null;
  });

const isBlank = (page: Page) =>
  page.evaluate(() => getComputedStyle(document.documentElement).display === 'none');

describe('the loader on a host page with a strict CSP', () => {
  let host: HostSite;
  let t: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    ensureWidgetBuilt();
    host = await startHostSite();
    t = await startTestApp({ EMBED_ORIGINS: host.origin, QUICK_EXIT_URL: host.weatherUrl });
    host.setHelpline(t.url);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await host?.close();
  });
  beforeEach(async () => {
    context = await browser.newContext();
    page = await context.newPage();
  });
  afterEach(async () => {
    await context.close();
  });

  it('adds one global, puts quick exit first in the tab order and opens the chat in a frame, all within the CSP', async () => {
    const violations = watchCspViolations(page);
    await page.goto(host.weatherUrl);
    const before = await page.evaluate(() => Object.getOwnPropertyNames(window));
    await page.goto(host.pageUrl());
    await page.locator('[data-sl=launcher]').waitFor();
    const after = await page.evaluate(() => Object.getOwnPropertyNames(window));
    expect(after.filter((name) => !before.includes(name))).toEqual(['StilleLijn']);

    await page.keyboard.press('Tab');
    expect(await focusedHook(page)).toBe('quick-exit');
    expect(await page.locator('[data-sl=quick-exit]').textContent()).toBe('Snel weg');

    const historyBefore = await page.evaluate(() => history.length);
    await page.locator('[data-sl=launcher]').click();
    const frame = await chatFrame(page, t.url);
    expect(new URL(frame.url()).origin).toBe(t.url);
    expect(await page.locator('[data-sl=launcher]').getAttribute('aria-expanded')).toBe('true');
    expect(await page.evaluate(() => history.length)).toBe(historyBefore);

    // The chat's own "hide" goes back to the launcher; the frame and its state stay.
    await frame.getByRole('button', { name: 'Verbergen' }).click();
    await expect.poll(() => page.locator('[data-sl=launcher]').getAttribute('aria-expanded')).toBe('false');
    expect(await focusedHook(page)).toBe('launcher');
    expect(violations).toEqual([]);
  });

  it('takes language, position and label from data- attributes, and follows a language change in the chat', async () => {
    await page.goto(host.pageUrl('/', { lang: 'ar', position: 'left', label: 'Hulp nodig' }));
    const launcher = page.locator('[data-sl=launcher]');
    await launcher.waitFor();
    expect(await launcher.textContent()).toBe('Hulp nodig');
    expect(await page.locator('[data-sl=quick-exit]').textContent()).toBe('خروج سريع');
    const box = await launcher.boundingBox();
    expect(box!.x).toBeLessThan(100);

    await launcher.click();
    const frame = await chatFrame(page, t.url);
    expect(await frame.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual(
      ['ar', 'rtl'],
    );
    await frame.locator('[data-sl=language]').selectOption('en');
    await expect.poll(() => page.locator('[data-sl=quick-exit]').textContent()).toBe('Quick exit');
    expect(await frame.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual(
      ['en', 'ltr'],
    );
  });

  it('ignores messages from a foreign origin and malformed messages from the chat frame', async () => {
    // A foreign window (same host site, other origin) gets hold of the host page and its frame.
    const foreign = await context.newPage();
    await foreign.goto(host.weatherUrl.replace('localhost', '127.0.0.1'));
    const popupPromise = context.waitForEvent('page');
    await foreign.evaluate((url) => {
      (window as unknown as { hostPage: Window | null }).hostPage = window.open(url);
    }, host.pageUrl());
    const popup = await popupPromise;
    await popup.locator('[data-sl=launcher]').click();
    const frame = await chatFrame(popup, t.url);
    const hostUrl = popup.url();

    await foreign.evaluate(() => {
      const target = (window as unknown as { hostPage: Window }).hostPage;
      for (const message of [
        { sl: 1, type: 'quick-exit' },
        { sl: 1, type: 'minimize' },
      ]) {
        target.postMessage(message, '*');
      }
    });
    // From the right frame and origin, but not what the schema allows.
    await frame.evaluate(() => {
      const malformed: unknown[] = [
        'quick-exit',
        null,
        [1, 'quick-exit'],
        { type: 'quick-exit' },
        { sl: 2, type: 'quick-exit' },
        { sl: '1', type: 'quick-exit' },
        { sl: 1, type: 'quick-exit', extra: true },
        { sl: 1, type: 'language', language: 'xx' },
        { sl: 1, type: 'language' },
        { sl: 1, type: 'toString' },
        { sl: 1, type: '__proto__' },
        JSON.parse('{"sl":1,"type":"minimize","__proto__":{"polluted":true}}'),
        Object.assign(Object.create({ inherited: 1 }), { sl: 1, type: 'minimize' }),
      ];
      for (const message of malformed) parent.postMessage(message, '*');
    });
    // The host page sends the frame malformed quick exits too.
    await popup.evaluate(() => {
      const frameWindow = document
        .querySelectorAll('div')[1]
        ?.shadowRoot?.querySelector('iframe')?.contentWindow;
      for (const message of [
        { sl: 1, type: 'quick-exit', now: true },
        { sl: 1, type: 'reset' },
        'quick-exit',
      ]) {
        frameWindow?.postMessage(message, '*');
      }
    });
    // A valid message afterwards goes through, so the ones before were really ignored, not lost.
    await frame.evaluate(() => parent.postMessage({ sl: 1, type: 'minimize' }, '*'));
    await expect.poll(() => popup.locator('[data-sl=launcher]').getAttribute('aria-expanded')).toBe('false');

    expect(popup.url()).toBe(hostUrl);
    expect(await isBlank(popup)).toBe(false);
    expect(await frame.evaluate(() => getComputedStyle(document.documentElement).display)).not.toBe('none');
    expect(await frame.locator('[data-sl=start]').isVisible()).toBe(false); // hidden with the panel
    expect(await popup.evaluate(() => (({}) as Record<string, unknown>).polluted)).toBeUndefined();
  });

  it('cannot be framed by an origin outside EMBED_ORIGINS, whatever host it claims', async () => {
    const violations = watchCspViolations(page);
    const foreignOrigin = host.origin.replace('localhost', '127.0.0.1');
    await page.goto(`${foreignOrigin}/frame?host=${encodeURIComponent(host.origin)}`);
    await expect.poll(() => violations.some((v) => v.includes('frame-ancestors'))).toBe(true);
    const frame = page.frames().find((f) => f.url().startsWith(`${t.url}/chat`));
    expect(await frame?.locator('[data-sl=start]').count()).not.toBe(1);
  });
});
