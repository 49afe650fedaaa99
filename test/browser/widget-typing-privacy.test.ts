/**
 * The chat's text fields keep the visitor's words away from a cloud spellchecker (Chrome's
 * enhanced spell check, Edge's Editor) and the return code out of the phone keyboard's
 * memory, which the perpetrator may read (DESIGN.md). Through the real embed: a host page
 * on another origin, the chat in its iframe.
 */
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { OperatorSocket } from '../support/clients.ts';
import {
  chatFrame,
  ensureWidgetBuilt,
  type HostSite,
  launchChromium,
  nextAssignment,
  signInOperator,
  startHostSite,
} from './widget-support.ts';

/**
 * Every text field showing in the frame: data-sl, spellcheck and autocorrect as the browser
 * sees them (the property, where the engine has one), and the autocorrect attribute.
 */
const textFields = (frame: Frame) =>
  frame.evaluate(() =>
    [...document.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>('textarea, input')]
      .filter((el) => !['radio', 'checkbox', 'hidden'].includes(el.type))
      .map((el) => ({
        field: el.dataset.sl,
        spellcheck: el.spellcheck,
        autocorrect: 'autocorrect' in el ? (el as { autocorrect: boolean }).autocorrect : 'unsupported',
        autocorrectAttribute: el.getAttribute('autocorrect'),
      })),
  );

describe('the chat text fields', () => {
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
    operator = await signInOperator(t, { displayName: 'Anna de Vries', available: true });
    context = await browser.newContext();
    page = await context.newPage();
  });
  afterEach(async () => {
    operator?.disconnect();
    await context?.close();
    await t?.close();
  });

  it('never spellcheck, and the return code field has autocorrect off', async () => {
    await page.goto(host.pageUrl());
    await page.locator('[data-sl=launcher]').click();
    const frame = await chatFrame(page, t.url);

    // Start: the first message; victims type fast on phones, so autocorrect stays on.
    expect(await textFields(frame)).toEqual([
      { field: 'first-message', spellcheck: false, autocorrect: true, autocorrectAttribute: null },
    ]);

    // The return code: neither spellchecked nor learned by the keyboard.
    await frame.locator('[data-sl=have-return-code]').first().click();
    await frame.locator('[data-sl=return-code-input]').waitFor();
    expect(await textFields(frame)).toEqual([
      { field: 'return-code-input', spellcheck: false, autocorrect: false, autocorrectAttribute: 'off' },
    ]);

    // The composer, once chatting (the embedded chat connected from its own origin).
    await page.goto(host.pageUrl());
    await page.locator('[data-sl=launcher]').click();
    const again = await chatFrame(page, t.url);
    const assigned = nextAssignment(operator);
    await again.locator('[data-sl=role-victim]').check();
    await again.locator('[data-sl=start]').click();
    await assigned;
    await again.locator('[data-sl=composer]').waitFor();
    expect(await textFields(again)).toEqual([
      { field: 'composer', spellcheck: false, autocorrect: true, autocorrectAttribute: null },
    ]);
  });
});
