import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { emitAck, nextEvent } from '../support/clients.ts';
import { useWidgetPage } from './widget-harness.ts';
import { chatFrame, makeAvailable, nextAssignment } from './widget-support.ts';

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
  const w = useWidgetPage({
    env: (host) => ({ EMBED_ORIGINS: host.origin }),
    // Signed in but away: nobody is staffed, so the waiting screen shows the alternatives.
    operator: { displayName: 'Fatma Yilmaz', languages: ['nl', 'ar'] },
    context: { viewport: { width: 320, height: 640 } },
  });

  for (const { lang, dir, talking, end } of languages) {
    it(`${lang}: start, return code, waiting, chatting, ending and ended pass axe and reflow at 320 px`, async () => {
      const problems: string[] = [];
      await w.page.goto(`${w.t.url}/chat?lang=${lang}`);
      expect(
        await w.page.evaluate(() => [document.documentElement.lang, document.documentElement.dir]),
      ).toEqual([lang, dir]);
      await w.page.locator('[data-sl=start]').waitFor();
      await audit(w.page, 'start', problems);

      // A missing choice, and danger: both shown on the start screen.
      await w.page.locator('[data-sl=start]').click();
      await w.page.locator('[data-sl=urgent]').check();
      await w.page.locator('.sl-danger').waitFor();
      await audit(w.page, 'start with error and 112', problems);

      await w.page.locator('[data-sl=have-return-code]').click();
      await w.page.locator('[data-sl=return-code-input]').fill('GEEN-00-CODE');
      await w.page.locator('[data-sl=resume]').click();
      await w.page.locator('[role=alert]').waitFor();
      await audit(w.page, 'return code, refused', problems);
      await w.page.locator('.sl-link').last().click();

      await w.page.locator('[data-sl=role-victim]').check();
      await w.page.locator('[data-sl=first-message]').fill('Hallo');
      await w.page.locator('[data-sl=start]').click();
      await w.page.locator('[data-sl=alternatives]').waitFor();
      await audit(w.page, 'waiting with alternatives', problems);

      const assigned = nextAssignment(w.operator);
      await makeAvailable(w.operator);
      const conversationId = await assigned;
      await w.page.getByRole('heading', { name: talking }).waitFor();
      await emitAck(w.operator, 'chat:message', {
        conversationId,
        clientMessageId: 'o1',
        text: 'Een heel lang bericht zonder spaties: '.concat('x'.repeat(120)),
      });
      // The message first: it would clear a typing indicator that overtook it.
      await w.page.locator('[data-sl=message][data-from=operator]').waitFor();
      w.operator.emit('chat:typing', { conversationId, typing: true });
      await w.page.locator('[data-sl=typing]').waitFor();
      await w.page.locator('[data-sl=composer]').fill('y'.repeat(1900));
      await audit(w.page, 'chatting, typing, near the limit', problems);
      await w.page.locator('[data-sl=composer]').fill('');

      await w.page.locator('[data-sl=end]').click();
      await w.page.getByRole('dialog', { name: end }).waitFor();
      await audit(w.page, 'end confirmation', problems);
      await w.page.keyboard.press('Escape');
      await w.page.getByRole('dialog').waitFor({ state: 'hidden' });

      await emitAck(w.operator, 'chat:end', { conversationId });
      await w.page.locator('.sl-ended').waitFor();
      await audit(w.page, 'ended by the operator', problems);
      expect(problems).toEqual([]);
    });
  }

  it('the loader and the open chat on a host page pass axe, in Dutch and Arabic', async () => {
    const problems: string[] = [];
    for (const lang of ['nl', 'ar']) {
      await w.page.setViewportSize({ width: 1024, height: 768 });
      await w.page.goto(w.host.pageUrl('/', { lang }));
      await w.page.locator('[data-sl=launcher]').click();
      const frame = await chatFrame(w.page, w.t.url);
      await frame.locator('[data-sl=start]').waitFor();
      await audit(w.page, `host page with the chat open (${lang})`, problems);
    }
    expect(problems).toEqual([]);
  });

  it('runs the whole flow by keyboard alone', async () => {
    await w.page.setViewportSize({ width: 1024, height: 768 });
    await w.page.goto(`${w.t.url}/chat`);
    const focused = () =>
      w.page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        return el?.dataset.sl ?? el?.textContent ?? el?.tagName ?? null;
      });
    await w.page.locator('[data-sl=start]').waitFor();
    await w.page.keyboard.press('Tab');
    expect(await focused()).toBe('quick-exit');
    await w.page.keyboard.press('Tab');
    expect(await focused()).toBe('Naar de chat');
    await w.page.keyboard.press('Enter');
    expect(await w.page.evaluate(() => document.activeElement?.tagName)).toBe('H1');

    // Language, then the role group (arrow keys choose), danger, first message, start.
    await w.page.keyboard.press('Tab');
    expect(await focused()).toBe('language');
    await w.page.keyboard.press('Tab');
    expect(await focused()).toBe('role-victim');
    await w.page.keyboard.press('ArrowDown');
    expect(await focused()).toBe('role-concerned');
    expect(await w.page.locator('[data-sl=role-concerned]').isChecked()).toBe(true);
    await w.page.keyboard.press('Tab');
    expect(await focused()).toBe('urgent');
    await w.page.keyboard.press('Tab');
    expect(await focused()).toBe('first-message');
    await w.page.keyboard.type('Mijn buurvrouw');
    await w.page.keyboard.press('Tab');
    expect(await focused()).toBe('start');
    const assigned = nextAssignment(w.operator);
    await makeAvailable(w.operator);
    await w.page.keyboard.press('Enter');
    await assigned;
    await w.page.getByRole('heading', { name: 'Je praat met Fatma' }).waitFor();

    // The composer, Enter to send, then End with its confirmation.
    const fromVisitor = nextEvent<{ text: string }>(w.operator, 'chat:message');
    await w.page.locator('[data-sl=composer]').focus();
    await w.page.keyboard.type('Ze huilt vaak');
    await w.page.keyboard.press('Enter');
    expect((await fromVisitor).text).toBe('Ze huilt vaak');
    for (let i = 0; i < 10 && (await focused()) !== 'end'; i++) await w.page.keyboard.press('Tab');
    expect(await focused()).toBe('end');
    await w.page.keyboard.press('Enter');
    await expect.poll(focused).toBe('end-confirm');
    const ended = nextEvent<{ reason: string }>(w.operator, 'chat:ended');
    await w.page.keyboard.press('Enter');
    expect((await ended).reason).toBe('visitor');
    await w.page.locator('[data-sl=start]').waitFor();
  });
});
