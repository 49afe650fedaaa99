import type { StartAck } from '@stille-lijn/shared';
import type { Page } from 'playwright-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app.ts';
import { axeViolations, createConsoleAccount } from '../support/browser.ts';
import {
  connectOperator,
  connectVisitor,
  createOperator,
  emitAck,
  type OperatorSocket,
  type VisitorSocket,
} from '../support/clients.ts';
import { useConsole } from './console-harness.ts';

/**
 * The console says what happened from the refusal's `reason`, not from its own guesses:
 * a full colleague is named as full, a conversation at capacity as such.
 */
describe('console: refusals said by their reason', () => {
  const ui = useConsole({ env: { OPERATOR_CAPACITY: '1' } });
  let t: TestApp;
  let anna: Page;
  let bram: OperatorSocket;
  const visitors: VisitorSocket[] = [];

  beforeEach(async () => {
    t = ui.t;
    anna = await ui.signedIn(await createConsoleAccount(t, { displayName: 'Anna' }));
    bram = await connectOperator(t.url, (await createOperator(t, { displayName: 'Bram' })).cookie);
  });
  afterEach(() => {
    for (const v of visitors.splice(0)) v.disconnect();
    bram?.disconnect();
  });

  async function startVisitor(): Promise<string> {
    const v = await connectVisitor(t.url);
    visitors.push(v);
    const ack = await emitAck<{ ok: true } & StartAck>(v, 'chat:start', { role: 'victim', language: 'nl' });
    expect(ack.ok).toBe(true);
    return ack.conversationId;
  }
  const queueItem = (id: string) => anna.locator(`[data-sl="queue-item"][data-conversation-id="${id}"]`);

  it('at capacity on accept, and a colleague who filled up while the transfer form was open', async () => {
    const first = await startVisitor();
    await queueItem(first).locator('[data-sl="accept"]').click();
    await anna.locator(`[data-sl="conversation-tab"][data-conversation-id="${first}"]`).waitFor();

    const second = await startVisitor();
    await queueItem(second).locator('[data-sl="accept"]').click();
    const refused = anna.locator('[data-sl="accept-error"]');
    await refused.waitFor();
    expect(await refused.getAttribute('data-kind')).toBe('full');
    expect(await refused.textContent()).toBe('Je hebt al het maximum aantal gesprekken.');

    // Anna picks Bram while he has room; he takes the other conversation before she confirms.
    await anna.locator('[data-sl="transfer"]').click();
    await anna.locator('[data-sl="transfer-to-colleague"]').check();
    const picker = anna.locator('[data-sl="transfer-operator"]');
    const option = picker.locator('option', { hasText: 'Bram' });
    await option.waitFor({ state: 'attached' });
    expect(await option.textContent()).toMatch(/^Bram \(0 van 1, /);
    await picker.selectOption({ label: (await option.textContent()) ?? '' });
    expect((await emitAck<{ ok: boolean }>(bram, 'chat:accept', { conversationId: second })).ok).toBe(true);
    await anna.locator('[data-sl="transfer-confirm"]').click();
    const why = anna.locator('.transfer-form [role="alert"] .error');
    await why.waitFor();
    expect(await why.textContent()).toBe('Deze collega heeft geen plek meer voor een gesprek.');
    // Refused, so nothing moved: the conversation is still Anna's.
    expect(await anna.locator(`[data-sl="conversation-tab"][data-conversation-id="${first}"]`).count()).toBe(
      1,
    );
    expect(await axeViolations(anna)).toEqual([]);
  });
});
