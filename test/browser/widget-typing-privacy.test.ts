/**
 * The chat's text fields keep the visitor's words away from a cloud spellchecker (Chrome's
 * enhanced spell check, Edge's Editor) and the return code out of the phone keyboard's
 * memory, which the perpetrator may read (DESIGN.md). Through the real embed: a host page
 * on another origin, the chat in its iframe.
 */
import type { Frame } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useWidgetPage } from './widget-harness.ts';
import { chatFrame, nextAssignment } from './widget-support.ts';

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
  const w = useWidgetPage({
    env: (host) => ({ EMBED_ORIGINS: host.origin }),
    operator: { displayName: 'Anna de Vries', available: true },
  });

  it('never spellcheck, and the return code field has autocorrect off', async () => {
    await w.page.goto(w.host.pageUrl());
    await w.page.locator('[data-sl=launcher]').click();
    const frame = await chatFrame(w.page, w.t.url);

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
    await w.page.goto(w.host.pageUrl());
    await w.page.locator('[data-sl=launcher]').click();
    const again = await chatFrame(w.page, w.t.url);
    const assigned = nextAssignment(w.operator);
    await again.locator('[data-sl=role-victim]').check();
    await again.locator('[data-sl=start]').click();
    await assigned;
    await again.locator('[data-sl=composer]').waitFor();
    expect(await textFields(again)).toEqual([
      { field: 'composer', spellcheck: false, autocorrect: true, autocorrectAttribute: null },
    ]);
  });
});
