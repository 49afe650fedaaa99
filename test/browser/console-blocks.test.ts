/**
 * Blocking an abusive visitor from the console, and lifting the block in the supervisor
 * view. Visitors come from set addresses through a trusted proxy hop (`TRUST_PROXY: '1'`).
 */
import type { Ack, StartAck } from '@stille-lijn/shared';
import type { Page } from 'playwright-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app.ts';
import { axeViolations, type ConsoleAccount, createConsoleAccount } from '../support/browser.ts';
import {
  connectOperator,
  connectVisitor,
  createOperator,
  emitAck,
  nextEvent,
  type OperatorSocket,
  type VisitorSocket,
} from '../support/clients.ts';
import { useConsole } from './console-harness.ts';

describe('console: blocking a visitor', () => {
  const ui = useConsole({ env: { TRUST_PROXY: '1' } });
  let t: TestApp;
  const visitors: VisitorSocket[] = [];
  const operators: OperatorSocket[] = [];

  beforeEach(() => {
    t = ui.t;
  });

  afterEach(() => {
    for (const s of [...visitors.splice(0), ...operators.splice(0)]) s.disconnect();
  });

  const signedIn = (account: ConsoleAccount) => ui.signedIn(account);

  /** A visitor at `address` who starts a conversation; the answer as the server gave it. */
  async function startFrom(address: string, text?: string) {
    const socket = await connectVisitor(t.url, { forwardedFor: address });
    visitors.push(socket);
    const ack = await emitAck<Ack<StartAck>>(socket, 'chat:start', {
      role: 'victim',
      language: 'nl',
      ...(text !== undefined ? { text } : {}),
    });
    return { socket, ack };
  }

  async function acceptedFrom(page: Page, address: string, text: string) {
    const { socket, ack } = await startFrom(address, text);
    if (!ack.ok) throw new Error(`start refused: ${ack.error.code}`);
    const id = ack.conversationId;
    const assigned = nextEvent(socket, 'chat:assigned');
    await page.locator(`[data-sl="queue-item"][data-conversation-id="${id}"] [data-sl="accept"]`).click();
    await assigned;
    const pane = page.locator(`[data-sl="conversation"][data-conversation-id="${id}"]`);
    await pane.waitFor();
    return { socket, id, pane };
  }

  /**
   * Waits until the focus is on the element with this hook (`null`: one without a hook)
   * and this text. Focus moves in an effect after rendering, or after the server's answer.
   */
  async function expectFocus(page: Page, hook: string | null, text?: string): Promise<void> {
    const where = () =>
      page.evaluate(() => ({
        hook: document.activeElement?.getAttribute('data-sl') ?? null,
        text: document.activeElement?.textContent ?? '',
      }));
    try {
      await page.waitForFunction(
        ([h, txt]) =>
          (document.activeElement?.getAttribute('data-sl') ?? null) === h &&
          (txt === undefined || document.activeElement?.textContent === txt),
        [hook, text] as const,
        { timeout: 5000 },
      );
    } catch {
      expect(await where()).toEqual({ hook, text: text ?? expect.any(String) });
    }
  }

  it('an operator blocks an abusive visitor through the console and has no blocks panel', async () => {
    const operator = await createConsoleAccount(t, { displayName: 'Anna de Vries' });
    const op = await signedIn(operator);
    const troll = await acceptedFrom(op, '198.51.100.40', 'haha jullie zijn nep');

    // The confirmation says what happens, takes the focus (on Cancel), and Esc gives it back.
    const block = troll.pane.locator('[data-sl="block"]');
    await block.click();
    const confirm = troll.pane.locator('[data-sl="block-confirm"]');
    await confirm.waitFor();
    const card = troll.pane.locator('.confirm:has([data-sl="block-confirm"])');
    const warning = await card.textContent();
    expect(warning).toContain('Het gesprek wordt meteen beëindigd.');
    expect(warning).toContain('de komende paar uur geen nieuw gesprek');
    expect(warning).toContain('slachtoffer op dezelfde wifi');
    await expectFocus(op, null, 'Annuleren');
    expect(await axeViolations(op)).toEqual([]);
    await op.keyboard.press('Escape');
    await confirm.waitFor({ state: 'detached' });
    await expectFocus(op, 'block');

    // By keyboard this time: open, Tab back to the confirming button, confirm.
    // The card moves the focus to Cancel in an effect after it renders: wait for that move,
    // or the key press can land before it and the focus ends up on Cancel after all.
    await op.keyboard.press('Enter');
    await confirm.waitFor();
    await expectFocus(op, null, 'Annuleren');
    await op.keyboard.press('Shift+Tab');
    await expectFocus(op, 'block-confirm');
    const ended = nextEvent<{ reason: string }>(troll.socket, 'chat:ended');
    await op.keyboard.press('Enter');
    expect(await ended).toEqual({ reason: 'blocked' });
    await op
      .locator(`[data-sl="conversation-tab"][data-conversation-id="${troll.id}"][data-state="ended"]`)
      .waitFor();
    await troll.pane.locator('.banner-ended', { hasText: 'de bezoeker is geblokkeerd' }).waitFor();
    await expectFocus(op, 'blocked');
    expect(await troll.pane.locator('[data-sl="block"]').count()).toBe(0);

    // The same address is refused; another address is not.
    const again = await startFrom('198.51.100.40');
    expect(again.ack).toMatchObject({ ok: false, error: { code: 'forbidden', reason: 'blocked' } });
    expect((await startFrom('198.51.100.41')).ack.ok).toBe(true);

    // An operator has no supervisor view and no blocks panel, and the server agrees.
    expect(await op.locator('[data-sl="view-supervisor"]').count()).toBe(0);
    expect(await op.locator('[data-sl="blocks"]').count()).toBe(0);
    expect(await op.evaluate(async () => (await fetch('/api/blocks')).status)).toBe(403);
  });

  it('a supervisor sees the blocks in force and lifts one, after which the address can start again', async () => {
    // A block made over the socket, as any operator's console makes it.
    const { socket, ack } = await startFrom('198.51.100.40', 'haha jullie zijn nep');
    if (!ack.ok) throw new Error(`start refused: ${ack.error.code}`);
    const operator = await createOperator(t, { displayName: 'Anna de Vries' });
    const opSocket = await connectOperator(t.url, operator.cookie);
    operators.push(opSocket);
    const assigned = nextEvent(opSocket, 'chat:assigned');
    await emitAck(opSocket, 'operator:status', { status: 'available' });
    await assigned;
    const ended = nextEvent(socket, 'chat:ended');
    expect(await emitAck(opSocket, 'chat:block', { conversationId: ack.conversationId })).toEqual({
      ok: true,
    });
    await ended;
    expect((await startFrom('198.51.100.40')).ack.ok).toBe(false);

    // The supervisor sees when, until when and by whom; never an address.
    const supervisor = await createConsoleAccount(t, { role: 'supervisor', displayName: 'Sanne Smit' });
    const sup = await signedIn(supervisor);
    await sup.locator('[data-sl="view-supervisor"]').click();
    const panel = sup.locator('[data-sl="blocks"]');
    const row = panel.locator('[data-sl="block-row"]');
    await row.waitFor();
    expect(await row.count()).toBe(1);
    const rowText = (await row.textContent()) ?? '';
    expect(rowText).toContain('Anna de Vries');
    expect(await panel.textContent()).not.toContain('198.51.100');
    const times = await row.locator('time').evaluateAll((els) => els.map((e) => e.getAttribute('datetime')));
    expect(times).toHaveLength(2);
    expect(Date.parse(times[1] ?? '') - Date.parse(times[0] ?? '')).toBe(2 * 3_600_000);

    // Lifting asks first; Esc closes and gives the focus back.
    const lift = row.locator('[data-sl="block-lift"]');
    await lift.click();
    const liftConfirm = panel.locator('[data-sl="block-lift-confirm"]');
    await liftConfirm.waitFor();
    await expectFocus(sup, null, 'Annuleren');
    expect(await axeViolations(sup)).toEqual([]);
    await sup.keyboard.press('Escape');
    await liftConfirm.waitFor({ state: 'detached' });
    await expectFocus(sup, 'block-lift');
    await lift.click();
    await liftConfirm.click();
    await row.waitFor({ state: 'detached' });
    await panel.locator('p', { hasText: 'Er zijn nu geen blokkades.' }).waitFor();
    await panel.locator('[role="status"]', { hasText: 'De blokkade is opgeheven.' }).waitFor();
    expect(await axeViolations(sup)).toEqual([]);

    expect((await startFrom('198.51.100.40')).ack.ok).toBe(true);
  });

  it('blocks a visitor who already left, and shows calmly when it is too late', async () => {
    const operator = await createConsoleAccount(t);
    const op = await signedIn(operator);

    // A troll who leaves at once can still be blocked from the ended conversation.
    const quick = await acceptedFrom(op, '198.51.100.50', 'doei');
    await emitAck(quick.socket, 'chat:leave', { reason: 'ended' });
    await op
      .locator(`[data-sl="conversation-tab"][data-conversation-id="${quick.id}"][data-state="ended"]`)
      .waitFor();
    await quick.pane.locator('[data-sl="block"]').click();
    const card = quick.pane.locator('.confirm:has([data-sl="block-confirm"])');
    await card.waitFor();
    // It has ended already: the warning does not say it will end.
    expect(await card.textContent()).not.toContain('wordt meteen beëindigd');
    await quick.pane.locator('[data-sl="block-confirm"]').click();
    await quick.pane.locator('[data-sl="blocked"]').waitFor();
    await quick.pane.locator('.banner-ended', { hasText: 'Beëindigd door de bezoeker.' }).waitFor();
    expect((await startFrom('198.51.100.50')).ack).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    // Once the ended conversation's address hash has run out, the server says no; the console says why.
    const late = await acceptedFrom(op, '198.51.100.51', 'later');
    await emitAck(late.socket, 'chat:leave', { reason: 'ended' });
    await op
      .locator(`[data-sl="conversation-tab"][data-conversation-id="${late.id}"][data-state="ended"]`)
      .waitFor();
    await t.app.redis.del(`${t.app.key('conv', late.id)}:addr`);
    await late.pane.locator('[data-sl="block"]').click();
    await late.pane.locator('[data-sl="block-confirm"]').click();
    const error = late.pane.locator('[role="alert"][data-sl="block-error"][data-failure="too-late"]');
    await error.waitFor();
    expect(await error.textContent()).toBe(
      'Dit gesprek is te lang geleden beëindigd; blokkeren kan niet meer.',
    );
    expect(await late.pane.locator('[data-sl="blocked"]').count()).toBe(0);
    expect(await axeViolations(op)).toEqual([]);
    expect((await startFrom('198.51.100.51')).ack.ok).toBe(true);
  });
});
