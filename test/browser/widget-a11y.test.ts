import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { emitAck, nextEvent, type OperatorSocket } from '../support/clients.ts';
import {
  chatFrame,
  ensureWidgetBuilt,
  type HostSite,
  launchChromium,
  makeAvailable,
  nextAssignment,
  signInOperator,
  startHostSite,
} from './widget-support.ts';

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

/** axe on the page as it is now, plus reflow at this width: no sideways scrolling. */
async function audit(page: Page, screen: string, problems: string[]): Promise<void> {
  // Each state as it first shows, from the top: the quick-exit bar is sticky, and axe's
  // target-size counts a control that the last click happened to scroll partly under it
  // as too small, so the result would depend on where Playwright scrolled.
  await page.evaluate(() => window.scrollTo(0, 0));
  const results = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  for (const v of results.violations) {
    problems.push(`${screen}: ${v.id} (${v.impact}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (overflow > 0)
    problems.push(`${screen}: ${overflow}px sideways scrolling at ${page.viewportSize()?.width}px`);
}

const languages = [
  { lang: 'nl', dir: 'ltr', talking: 'Je praat met Fatma', end: 'Gesprek beëindigen?' },
  { lang: 'ar', dir: 'rtl', talking: 'أنت تتحدث مع Fatma', end: 'هل تريد إنهاء المحادثة؟' },
] as const;

describe('accessibility (WCAG 2.2 AA) of every screen, in Dutch and Arabic', () => {
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
    t = await startTestApp({ EMBED_ORIGINS: host.origin });
    host.setHelpline(t.url);
    operator = await signInOperator(t, { displayName: 'Fatma Yilmaz', languages: ['nl', 'ar'] });
    // Signed in but away: nobody is staffed, so the waiting screen shows the alternatives.
    context = await browser.newContext({ viewport: { width: 320, height: 640 } });
    page = await context.newPage();
  });
  afterEach(async () => {
    operator?.disconnect();
    await context?.close();
    await t?.close();
  });

  for (const { lang, dir, talking, end } of languages) {
    it(`${lang}: start, return code, waiting, chatting, ending and ended pass axe and reflow at 320 px`, async () => {
      const problems: string[] = [];
      await page.goto(`${t.url}/chat?lang=${lang}`);
      expect(
        await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir]),
      ).toEqual([lang, dir]);
      await page.locator('[data-sl=start]').waitFor();
      await audit(page, 'start', problems);

      // A missing choice, and danger: both shown on the start screen.
      await page.locator('[data-sl=start]').click();
      await page.locator('[data-sl=urgent]').check();
      await page.locator('.sl-danger').waitFor();
      await audit(page, 'start with error and 112', problems);

      await page.locator('[data-sl=have-return-code]').click();
      await page.locator('[data-sl=return-code-input]').fill('GEEN-00-CODE');
      await page.locator('[data-sl=resume]').click();
      await page.locator('[role=alert]').waitFor();
      await audit(page, 'return code, refused', problems);
      await page.locator('.sl-link').last().click();

      await page.locator('[data-sl=role-victim]').check();
      await page.locator('[data-sl=first-message]').fill('Hallo');
      await page.locator('[data-sl=start]').click();
      await page.locator('[data-sl=alternatives]').waitFor();
      await audit(page, 'waiting with alternatives', problems);

      const assigned = nextAssignment(operator);
      await makeAvailable(operator);
      const conversationId = await assigned;
      await page.getByRole('heading', { name: talking }).waitFor();
      await emitAck(operator, 'chat:message', {
        conversationId,
        clientMessageId: 'o1',
        text: 'Een heel lang bericht zonder spaties: '.concat('x'.repeat(120)),
      });
      // The message first: it would clear a typing indicator that overtook it.
      await page.locator('[data-sl=message][data-from=operator]').waitFor();
      operator.emit('chat:typing', { conversationId, typing: true });
      await page.locator('[data-sl=typing]').waitFor();
      await page.locator('[data-sl=composer]').fill('y'.repeat(1900));
      await audit(page, 'chatting, typing, near the limit', problems);
      await page.locator('[data-sl=composer]').fill('');

      await page.locator('[data-sl=end]').click();
      await page.getByRole('dialog', { name: end }).waitFor();
      await audit(page, 'end confirmation', problems);
      await page.keyboard.press('Escape');
      await page.getByRole('dialog').waitFor({ state: 'hidden' });

      await emitAck(operator, 'chat:end', { conversationId });
      await page.locator('.sl-ended').waitFor();
      await audit(page, 'ended by the operator', problems);
      expect(problems).toEqual([]);
    });
  }

  it('the loader and the open chat on a host page pass axe, in Dutch and Arabic', async () => {
    const problems: string[] = [];
    for (const lang of ['nl', 'ar']) {
      await page.setViewportSize({ width: 1024, height: 768 });
      await page.goto(host.pageUrl('/', { lang }));
      await page.locator('[data-sl=launcher]').click();
      const frame = await chatFrame(page, t.url);
      await frame.locator('[data-sl=start]').waitFor();
      await audit(page, `host page with the chat open (${lang})`, problems);
    }
    expect(problems).toEqual([]);
  });

  it('runs the whole flow by keyboard alone', async () => {
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.goto(`${t.url}/chat`);
    const focused = () =>
      page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        return el?.dataset.sl ?? el?.textContent ?? el?.tagName ?? null;
      });
    await page.locator('[data-sl=start]').waitFor();
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('quick-exit');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('Naar de chat');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H1');

    // Language, then the role group (arrow keys choose), danger, first message, start.
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('language');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('role-victim');
    await page.keyboard.press('ArrowDown');
    expect(await focused()).toBe('role-concerned');
    expect(await page.locator('[data-sl=role-concerned]').isChecked()).toBe(true);
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('urgent');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('first-message');
    await page.keyboard.type('Mijn buurvrouw');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('start');
    const assigned = nextAssignment(operator);
    await makeAvailable(operator);
    await page.keyboard.press('Enter');
    await assigned;
    await page.getByRole('heading', { name: 'Je praat met Fatma' }).waitFor();

    // The composer, Enter to send, then End with its confirmation.
    const fromVisitor = nextEvent<{ text: string }>(operator, 'chat:message');
    await page.locator('[data-sl=composer]').focus();
    await page.keyboard.type('Ze huilt vaak');
    await page.keyboard.press('Enter');
    expect((await fromVisitor).text).toBe('Ze huilt vaak');
    for (let i = 0; i < 10 && (await focused()) !== 'end'; i++) await page.keyboard.press('Tab');
    expect(await focused()).toBe('end');
    await page.keyboard.press('Enter');
    await expect.poll(focused).toBe('end-confirm');
    const ended = nextEvent<{ reason: string }>(operator, 'chat:ended');
    await page.keyboard.press('Enter');
    expect((await ended).reason).toBe('visitor');
    await page.locator('[data-sl=start]').waitFor();
  });
});
