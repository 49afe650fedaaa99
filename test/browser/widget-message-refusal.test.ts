import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { emitAck, type OperatorSocket } from '../support/clients.ts';
import { ensureWidgetBuilt, launchChromium, signInOperator } from './widget-support.ts';

/**
 * A message the server refuses says why, from the refusal's `reason`, in the visitor's
 * language; sending again is offered only where it can help.
 */
describe('the chat explains a refused message by its reason', () => {
  let browser: Browser;
  let t: TestApp;
  let page: Page;
  let operator: OperatorSocket;

  beforeAll(async () => {
    ensureWidgetBuilt();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    t = await startTestApp({ WAITING_MESSAGES: '2' });
    operator = await signInOperator(t, { displayName: 'Anna de Vries' });
    page = await browser.newPage();
  });
  afterEach(async () => {
    operator?.disconnect();
    await page?.close();
    await t?.close();
  });

  it('too many messages while waiting: told to wait, in Dutch, and the same message goes once someone is there', async () => {
    await page.goto(`${t.url}/chat`);
    await page.locator('[data-sl=role-victim]').check();
    await page.locator('[data-sl=start]').click();
    await page.locator('[data-sl=return-code]').waitFor();

    const composer = page.locator('[data-sl=composer]');
    const visitorLines = page.locator('[data-sl=message][data-from=visitor]');
    for (const text of ['een', 'twee', 'drie']) {
      await composer.fill(text);
      await page.locator('[data-sl=send]').click();
      await expect.poll(() => visitorLines.last().getAttribute('data-status')).not.toBe('pending');
    }
    const refused = visitorLines.last();
    expect(await refused.getAttribute('data-status')).toBe('failed');
    const why = refused.locator('.sl-failed');
    expect(await why.getAttribute('data-reason')).toBe('waiting_messages');
    expect(await why.textContent()).toContain('Wacht even tot er een hulpverlener is');

    // Once a counsellor has the conversation the count starts again: sending again works.
    const accepted = await emitAck<{ ok: boolean }>(operator, 'chat:accept', {
      conversationId: await waitingId(),
    });
    expect(accepted.ok).toBe(true);
    await refused.getByRole('button', { name: 'Opnieuw versturen' }).click();
    await expect.poll(() => refused.getAttribute('data-status')).toBe('sent');
    expect(await refused.locator('.sl-failed').count()).toBe(0);
  });

  /** The one waiting conversation, as the operator's queue shows it. */
  async function waitingId(): Promise<string> {
    const ids = await t.app.queueView.waitingList();
    expect(ids).toHaveLength(1);
    return ids[0]!.conversationId;
  }
});
