import type { StartAck, VisitorStart } from '@stille-lijn/shared';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app.ts';
import { axeViolations, createConsoleAccount } from '../support/browser.ts';
import { connectVisitor, emitAck } from '../support/clients.ts';
import { useConsole } from './console-harness.ts';

type Ok<T> = { ok: true } & T;

const STRANGLED = 'Mijn vriend heeft me gisteren bij mijn keel gepakt. Ik durf niet te bellen.';

/**
 * Issue 12 in the console, through the `data-sl` hooks: danger signals on queue items, in
 * the conversation with the words marked as text, a later signal shown at once, and a
 * wrong one dismissed.
 */
describe('console: danger signals', () => {
  const ui = useConsole({ app: 'test', context: { viewport: { width: 1500, height: 1000 } } });
  let t: TestApp;
  const sockets: { disconnect(): unknown }[] = [];

  afterEach(() => {
    for (const s of sockets.splice(0)) s.disconnect();
  });

  async function signIn(): Promise<Page> {
    return ui.signedIn(await createConsoleAccount(t));
  }

  async function visitor(start: VisitorStart) {
    const socket = await connectVisitor(t.url);
    sockets.push(socket);
    const ack = await emitAck<Ok<StartAck & { conversationId: string }>>(socket, 'chat:start', start);
    expect(ack.ok).toBe(true);
    return { socket, id: ack.conversationId };
  }

  it('shows signals on the queue item and in the conversation, marks the words, and lets the operator dismiss a wrong one', async () => {
    t = await ui.start();
    const page = await signIn();
    const calm = await visitor({ role: 'victim', language: 'nl', text: 'Hallo, ik wil even praten.' });
    const v = await visitor({ role: 'victim', language: 'nl', text: STRANGLED });

    // The queue: the signal on its item, first in line although it came later.
    const item = page.locator(`[data-sl="queue-item"][data-conversation-id="${v.id}"]`);
    const badge = item.locator('[data-sl="signal"][data-category="strangulation"][data-weight="high"]');
    await badge.waitFor();
    const order = await page
      .locator('[data-sl="queue-item"]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-conversation-id')));
    expect(order).toEqual([v.id, calm.id]);
    expect(
      await page
        .locator(`[data-sl="queue-item"][data-conversation-id="${calm.id}"] [data-sl="signal"]`)
        .count(),
    ).toBe(0);

    // The conversation: the badge, and the words marked as text inside the message.
    await item.locator('[data-sl="accept"]').click();
    const pane = page.locator('#conversation-panel');
    await pane.locator('[data-sl="signal"][data-category="strangulation"]').waitFor();
    const message = page.locator('[data-sl="message"][data-from="visitor"]').first();
    expect(await message.textContent()).toBe(STRANGLED);
    const marked = await message.locator('mark').allTextContents();
    expect(marked.join(' ').toLowerCase()).toContain('keel');
    expect(await message.locator('mark').first().getAttribute('data-category')).toBe('strangulation');

    // A signal raised after assignment appears at once.
    await emitAck(v.socket, 'chat:message', {
      text: 'En hij heeft een mes in de keuken gelegd en zegt dat hij me vermoordt',
      clientMessageId: 'c-2',
    });
    await pane.locator('[data-sl="signal"][data-category="threat-to-kill"]').waitFor();
    expect(await axeViolations(page)).toEqual([]);

    // The operator dismisses one as wrong: it goes, the rest stay.
    await pane
      .locator('[data-sl="signal"][data-category="strangulation"] [data-sl="signal-dismiss"]')
      .click();
    await pane.locator('[data-sl="signal"][data-category="strangulation"]').waitFor({ state: 'detached' });
    expect(await pane.locator('[data-sl="signal"][data-category="threat-to-kill"]').count()).toBe(1);
    expect(await message.locator('mark').count()).toBe(0);
    const audit = await t.app.redis.xrange(`${t.config.redisPrefix}:audit`, '-', '+');
    expect(audit.some(([, kv]) => kv.includes('signal-dismiss') && kv.includes(v.id))).toBe(true);
  });
});
