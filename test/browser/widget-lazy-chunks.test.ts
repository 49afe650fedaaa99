import { describe, expect, it } from 'vitest';
import { useWidgetPage } from './widget-harness.ts';

/**
 * The chat app's start screen arrives first; the conversation's chunk (socket.io-client,
 * zod, the conversation screen) and the other languages come after it
 * (widget/src/app/live.ts, widget/src/app/i18n.ts). When one of those requests fails, the
 * visitor sees why in their language, can try again, and quick exit works throughout.
 */

const LIVE_CHUNK = /\/chat\/assets\/live-[^/]+\.js$/;
const chunkOf = (lang: string) => new RegExp(`/chat/assets/${lang}-[^/]+\\.js$`);

describe('a lazily loaded chunk that does not arrive', () => {
  const w = useWidgetPage({ env: (host) => ({ QUICK_EXIT_URL: host.weatherUrl }) });

  /** Fails every request for `pattern`; returns how many were made. */
  async function failRequests(pattern: RegExp): Promise<() => number> {
    let count = 0;
    await w.page.route(pattern, (route) => {
      count += 1;
      return route.abort('failed');
    });
    return () => count;
  }

  /** Quick exit leaves for the exit page with location.replace (no new history entry). */
  async function expectQuickExit(press: () => Promise<void>): Promise<void> {
    // Interception stays off during the exit navigation (see startSlowLine's note on route()).
    await w.page.unrouteAll({ behavior: 'ignoreErrors' });
    const historyLength = await w.page.evaluate(() => history.length);
    await press();
    await w.page.waitForURL(w.host.weatherUrl);
    expect(await w.page.evaluate(() => history.length)).toBe(historyLength);
  }

  it('the conversation’s chunk: Start says “no connection” in the page’s language, a second Start fetches it again and the conversation opens, quick exit by the button', async () => {
    const liveRequests = await failRequests(LIVE_CHUNK);
    await w.page.goto(`${w.t.url}/chat?lang=en`);
    await w.page.getByRole('heading', { name: 'Talk anonymously with a counsellor' }).waitFor();
    // Fetched (and failed) once the start screen was up, without any trace on screen.
    await expect.poll(liveRequests).toBeGreaterThanOrEqual(1);
    expect(await w.page.locator('[role=alert]').count()).toBe(0);

    await w.page.locator('[data-sl=role-victim]').check();
    await w.page.locator('[data-sl=start]').click();
    const alert = w.page.locator('.sl-error[role=alert]');
    await alert.waitFor();
    expect(await alert.textContent()).toBe('There is no connection right now. Please try again in a moment.');
    expect(await w.page.locator('[data-sl=start]').textContent()).toBe('Start the chat');
    expect(liveRequests()).toBeGreaterThanOrEqual(2);

    // The line is back: the same Start fetches the chunk and opens the conversation.
    await w.page.unrouteAll({ behavior: 'ignoreErrors' });
    await w.page.locator('[data-sl=start]').click();
    await w.page.getByRole('heading', { name: 'You are in the queue' }).waitFor();
    await w.page.locator('[data-sl=composer]').waitFor();

    await expectQuickExit(() => w.page.locator('[data-sl=quick-exit]').click({ noWaitAfter: true }));
  });

  it('the conversation’s chunk: a return code says it did not work, and Esc×2 still leaves', async () => {
    await failRequests(LIVE_CHUNK);
    await w.page.goto(`${w.t.url}/chat`);
    await w.page.locator('[data-sl=have-return-code]').click();
    await w.page.locator('[data-sl=return-code-input]').fill('ABCD-EFGH');
    await w.page.locator('[data-sl=resume]').click();
    await w.page.locator('.sl-error[role=alert]').waitFor();
    expect(await w.page.locator('[data-sl=resume]').getAttribute('aria-disabled')).toBe('false');

    await expectQuickExit(async () => {
      await w.page.locator('h1').click();
      for (let i = 0; i < 2; i++) await w.page.keyboard.press('Escape');
    });
  });

  it('another language’s catalogue: the screen stays in its language and says so, a later switch works, and Shift×3 still leaves', async () => {
    const turkish = await failRequests(chunkOf('tr'));
    await w.page.goto(`${w.t.url}/chat`);
    await w.page.getByRole('heading', { name: 'Praat anoniem met een hulpverlener' }).waitFor();
    await expect.poll(turkish).toBeGreaterThanOrEqual(1);

    await w.page.locator('[data-sl=language]').selectOption('tr');
    const failed = w.page.locator('[data-sl=language-failed]');
    await failed.waitFor();
    expect(await failed.textContent()).toBe('Er is nu geen verbinding. Probeer het zo opnieuw.');
    expect(await w.page.evaluate(() => document.documentElement.lang)).toBe('nl');
    await w.page.getByRole('heading', { name: 'Praat anoniem met een hulpverlener' }).waitFor();

    // English was fetched after the start screen: it needs no request now.
    await w.page.locator('[data-sl=language]').selectOption('en');
    await w.page.getByRole('heading', { name: 'Talk anonymously with a counsellor' }).waitFor();
    expect(await failed.count()).toBe(0);
    expect(await w.page.evaluate(() => document.documentElement.lang)).toBe('en');

    await expectQuickExit(async () => {
      await w.page.locator('h1').click();
      for (let i = 0; i < 3; i++) await w.page.keyboard.press('Shift');
    });
  });

  it('the page’s own language: the chat opens in Dutch, left to right, rather than not at all', async () => {
    const arabic = await failRequests(chunkOf('ar'));
    await w.page.goto(`${w.t.url}/chat?lang=ar`);
    await w.page.getByRole('heading', { name: 'Praat anoniem met een hulpverlener' }).waitFor();
    expect(arabic()).toBeGreaterThanOrEqual(1);
    expect(
      await w.page.evaluate(() => [document.documentElement.lang, document.documentElement.dir]),
    ).toEqual(['nl', 'ltr']);
    await expectQuickExit(() => w.page.locator('[data-sl=quick-exit]').click({ noWaitAfter: true }));
  });
});
