import { randomUUID } from 'node:crypto';
import type { Message, ResumeAck, StartAck, VisitorStart } from '@stille-lijn/shared';
import type { Page } from 'playwright-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app.ts';
import { axeViolations, type ConsoleAccount, createConsoleAccount } from '../support/browser.ts';
import { connectVisitor, emitAck, nextEvent, type VisitorSocket, waitFor } from '../support/clients.ts';
import { useConsole } from './console-harness.ts';

type Ok<T> = { ok: true } & T;
interface Visitor {
  socket: VisitorSocket;
  id: string;
  returnCode: string;
  /** Everything this visitor's socket received, in order. */
  events: [string, unknown][];
}

describe('console: a shift with two operators', () => {
  // Two conversations each, so that the first operator to go available cannot take all three.
  const ui = useConsole({ env: { OPERATOR_CAPACITY: '2' } });
  let t: TestApp;
  const sockets: VisitorSocket[] = [];

  beforeEach(() => {
    t = ui.t;
  });

  afterEach(() => {
    for (const s of sockets.splice(0)) s.disconnect();
  });

  const signedInPage = (account: ConsoleAccount) => ui.signedIn(account);

  async function record(socket: VisitorSocket): Promise<[string, unknown][]> {
    const events: [string, unknown][] = [];
    socket.onAny((event: string, payload: unknown) => events.push([event, payload]));
    return events;
  }

  async function startVisitor(start: VisitorStart): Promise<Visitor> {
    const socket = await connectVisitor(t.url);
    sockets.push(socket);
    const events = await record(socket);
    const ack = await emitAck<Ok<StartAck>>(socket, 'chat:start', start);
    expect(ack.ok).toBe(true);
    return { socket, id: ack.conversationId, returnCode: ack.returnCode, events };
  }

  const tab = (page: Page, id: string) =>
    page.locator(`[data-sl="conversation-tab"][data-conversation-id="${id}"]`);
  const ids = (page: Page, sl: string) =>
    page
      .locator(`[data-sl="${sl}"]`)
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-conversation-id')));

  /** Opens a conversation and returns its messages as `from: text`, in order. */
  async function transcript(page: Page, id: string): Promise<string[]> {
    await tab(page, id).click();
    await page.locator(`[data-sl="conversation"][data-conversation-id="${id}"]`).waitFor();
    return page
      .locator(`[data-sl="conversation"][data-conversation-id="${id}"] [data-sl="message"]`)
      .evaluateAll((els) => els.map((e) => `${e.getAttribute('data-from')}: ${e.textContent}`));
  }

  /** Sends from the open conversation's composer; resolves when the visitor has it. */
  async function reply(page: Page, to: Visitor, text: string): Promise<void> {
    await tab(page, to.id).click();
    const reached = nextEvent<Message>(to.socket, 'chat:message', {
      where: (m) => m.from === 'operator' && m.text === text,
    });
    await page.locator('[data-sl="composer"]').fill(text);
    await page.locator('[data-sl="send"]').click();
    await reached;
    await page
      .locator('[data-sl="message"][data-from="operator"][data-status="sent"]', { hasText: text })
      .waitFor();
  }

  async function visitorSays(v: Visitor, text: string): Promise<void> {
    const res = await emitAck<{ ok: boolean }>(v.socket, 'chat:message', {
      clientMessageId: randomUUID(),
      text,
    });
    expect(res.ok).toBe(true);
  }

  const operatorTexts = (events: [string, unknown][]) =>
    events
      .filter(([event, p]) => event === 'chat:message' && (p as Message).from === 'operator')
      .map(([, p]) => (p as Message).text);
  const assignedNames = (events: [string, unknown][]) =>
    events
      .filter(([event]) => event === 'chat:assigned')
      .map(([, p]) => (p as { operatorName: string }).operatorName);

  it('two operators: urgent first, chats side by side, a private note, high risk, transfer, quick exit and return, end', async () => {
    const annaAccount = await createConsoleAccount(t, { displayName: 'Anna de Vries' });
    const bramAccount = await createConsoleAccount(t, { displayName: 'Bram Jansen' });
    const anna = await signedInPage(annaAccount);
    const bram = await signedInPage(bramAccount);
    for (const page of [anna, bram]) {
      expect(await page.locator('[data-sl="status-toggle"]').getAttribute('data-status')).toBe('away');
    }

    // Three visitors arrive while both are still away; the urgent one comes last.
    const early = await startVisitor({ role: 'bystander', language: 'nl', text: 'Mijn buurvrouw schreeuwt' });
    const later = await startVisitor({
      role: 'concerned',
      language: 'nl',
      text: 'Ik maak me zorgen om mijn zus',
    });
    const urgent = await startVisitor({
      role: 'victim',
      language: 'nl',
      urgent: true,
      text: 'Hij staat voor de deur',
    });
    // The waiting list, in routing order: the urgent one first, then by arrival.
    for (const page of [anna, bram]) {
      await expect.poll(() => ids(page, 'queue-item')).toEqual([urgent.id, early.id, later.id]);
      expect(
        await page
          .locator('[data-sl="queue-item"]')
          .evaluateAll((els) => els.map((e) => e.getAttribute('data-urgent'))),
      ).toEqual(['true', 'false', 'false']);
    }

    // Anna goes available and is given two: the urgent one first, ahead of an earlier arrival.
    await anna.locator('[data-sl="status-toggle"]').click();
    await anna.locator('[data-sl="status-toggle"][data-status="available"]').waitFor();
    await expect.poll(() => ids(anna, 'conversation-tab')).toEqual([urgent.id, early.id]);
    await waitFor(
      () => assignedNames(urgent.events).length === 1 && assignedNames(early.events).length === 1,
    );
    expect(assignedNames(urgent.events)).toEqual(['Anna']);
    expect(await tab(anna, urgent.id).getAttribute('data-urgent')).toBe('true');
    expect(await tab(anna, urgent.id).getAttribute('aria-selected')).toBe('true');
    await expect.poll(() => ids(anna, 'queue-item')).toEqual([later.id]);
    expect(assignedNames(later.events)).toEqual([]);

    // Bram goes available and gets the one left.
    await bram.locator('[data-sl="status-toggle"]').click();
    await bram.locator('[data-sl="status-toggle"][data-status="available"]').waitFor();
    await expect.poll(() => ids(bram, 'conversation-tab')).toEqual([later.id]);
    await waitFor(() => assignedNames(later.events).length === 1);
    expect(assignedNames(later.events)).toEqual(['Bram']);
    await expect.poll(() => ids(anna, 'queue-item')).toEqual([]);

    // Anna's two chats side by side: messages both ways, each in its own conversation.
    await reply(anna, urgent, 'Ik ben Anna. Ben je nu veilig?');
    await reply(anna, early, 'Dank dat je schrijft. Wat hoor je?');
    await tab(anna, urgent.id).click();
    await visitorSays(early, 'Gebonk en gehuil');
    // The conversation not open counts the message as unread; the open one does not.
    await anna
      .locator(`[data-sl="conversation-tab"][data-conversation-id="${early.id}"][data-unread="1"]`)
      .waitFor();
    expect(await tab(anna, urgent.id).getAttribute('data-unread')).toBe('0');
    await visitorSays(urgent, 'Ik zit op de badkamer, de deur op slot');
    await anna.locator('[data-sl="message"][data-from="visitor"]', { hasText: 'de deur op slot' }).waitFor();
    await reply(anna, early, 'Bel 112 als je denkt dat iemand in gevaar is.');
    await reply(anna, urgent, 'Goed. Blijf daar, ik help je.');
    expect(await transcript(anna, urgent.id)).toEqual([
      'visitor: Hij staat voor de deur',
      'operator: Ik ben Anna. Ben je nu veilig?',
      'visitor: Ik zit op de badkamer, de deur op slot',
      'operator: Goed. Blijf daar, ik help je.',
    ]);
    expect(await transcript(anna, early.id)).toEqual([
      'visitor: Mijn buurvrouw schreeuwt',
      'operator: Dank dat je schrijft. Wat hoor je?',
      'visitor: Gebonk en gehuil',
      'operator: Bel 112 als je denkt dat iemand in gevaar is.',
    ]);
    expect(operatorTexts(urgent.events)).toEqual([
      'Ik ben Anna. Ben je nu veilig?',
      'Goed. Blijf daar, ik help je.',
    ]);
    expect(operatorTexts(early.events)).toEqual([
      'Dank dat je schrijft. Wat hoor je?',
      'Bel 112 als je denkt dat iemand in gevaar is.',
    ]);
    // Bram's conversation: his own, nothing of Anna's.
    await reply(bram, later, 'Ik ben Bram. Vertel maar.');
    expect(await transcript(bram, later.id)).toEqual([
      'visitor: Ik maak me zorgen om mijn zus',
      'operator: Ik ben Bram. Vertel maar.',
    ]);

    // A private note on the urgent conversation.
    await tab(anna, urgent.id).click();
    const note = `Privé ${randomUUID().slice(0, 8)}: pleger voor de deur, slachtoffer op badkamer`;
    await anna.locator('[data-sl="note-input"]').fill(note);
    await anna.locator('[data-sl="note-add"]').click();
    await anna.locator('[data-sl="note"]', { hasText: note }).waitFor();

    // The risk checklist: one red flag makes it high; saved with the conversation.
    const level = anna.locator('[data-sl="risk-level"]');
    expect(await level.getAttribute('data-level')).toBe('standard');
    await anna
      .locator('[data-sl="checklist-item"][data-item-id="strangulation"] [data-sl="answer-yes"]')
      .click();
    await anna.locator('[data-sl="risk-level"][data-level="high"]').waitFor();
    await anna.locator('[data-sl="risk-save"]').click();
    await anna.locator('.risk [data-sl="sync-status"][data-sync="saved"]').waitFor();

    // Anna hands the urgent conversation to Bram, with a hand-over note.
    const handOver = `Overdracht ${randomUUID().slice(0, 8)}: wurging genoemd, risico hoog`;
    const toBram = nextEvent<{ operatorName: string }>(urgent.socket, 'chat:assigned');
    await anna.locator('[data-sl="transfer"]').click();
    await anna.locator('[data-sl="transfer-to-colleague"]').check();
    // Colleagues are offered by name: Bram, with room, and not Anna herself.
    const picker = anna.locator('[data-sl="transfer-operator"]');
    await picker.locator('option', { hasText: 'Bram' }).waitFor({ state: 'attached' });
    expect(await picker.locator('option').allTextContents()).toEqual([
      expect.stringMatching(/collega/i),
      expect.stringMatching(/^Bram .*\(1 van 2, /),
    ]);
    await picker.selectOption({
      label: (await picker.locator('option', { hasText: 'Bram' }).textContent()) ?? '',
    });
    expect(await picker.inputValue()).toBe(bramAccount.id);
    expect(await axeViolations(anna)).toEqual([]);
    await anna.locator('[data-sl="transfer-note"]').fill(handOver);
    await anna.locator('[data-sl="transfer-confirm"]').click();
    // The visitor is told the new name.
    expect((await toBram).operatorName).toBe('Bram');
    await tab(anna, urgent.id).waitFor({ state: 'detached' });
    expect(await ids(anna, 'conversation-tab')).toEqual([early.id]);

    // Bram's browser has it: the conversation so far, both notes, the high risk.
    await tab(bram, urgent.id).waitFor();
    expect(await ids(bram, 'conversation-tab')).toEqual([later.id, urgent.id]);
    expect(await tab(bram, urgent.id).getAttribute('data-urgent')).toBe('true');
    expect(await transcript(bram, urgent.id)).toEqual([
      'visitor: Hij staat voor de deur',
      'operator: Ik ben Anna. Ben je nu veilig?',
      'visitor: Ik zit op de badkamer, de deur op slot',
      'operator: Goed. Blijf daar, ik help je.',
    ]);
    await expect
      .poll(() => bram.locator('[data-sl="note"]').evaluateAll((els) => els.map((e) => e.textContent)))
      .toEqual([note, handOver]);
    await bram.locator('[data-sl="risk-level"][data-level="high"]').waitFor();
    // And he carries on with the visitor.
    await reply(bram, urgent, 'Hoi, ik ben Bram en neem het over van Anna.');
    await visitorSays(urgent, 'Oké');
    await bram.locator('[data-sl="message"][data-from="visitor"]', { hasText: 'Oké' }).waitFor();
    expect(await transcript(anna, early.id)).not.toContain('visitor: Oké');

    // The early visitor quick-exits: Anna's console shows it at once.
    await tab(anna, early.id).click();
    expect((await emitAck<{ ok: boolean }>(early.socket, 'chat:leave', { reason: 'quick-exit' })).ok).toBe(
      true,
    );
    early.socket.disconnect();
    const left = tab(anna, early.id).locator('[data-sl="visitor-left"]');
    await left.waitFor();
    expect(await left.getAttribute('data-reason')).toBe('quick-exit');
    await anna.locator('[data-sl="return-countdown"]').waitFor();

    // ...and comes back with the return code, on a new connection: shown too.
    const back = await connectVisitor(t.url);
    sockets.push(back);
    const backEvents = await record(back);
    const resumed = await emitAck<Ok<ResumeAck>>(back, 'chat:resume', { returnCode: early.returnCode });
    expect(resumed).toMatchObject({
      ok: true,
      conversationId: early.id,
      state: 'active',
      operatorName: 'Anna',
    });
    await tab(anna, early.id).locator('[data-sl="visitor-returned"]').waitFor();
    expect(await tab(anna, early.id).locator('[data-sl="visitor-left"]').count()).toBe(0);
    const backVisitor: Visitor = { socket: back, id: early.id, returnCode: '', events: backEvents };
    await reply(anna, backVisitor, 'Fijn dat je terug bent.');

    // Anna ends it, with confirmation; the visitor is told.
    const ended = nextEvent<{ reason: string }>(back, 'chat:ended');
    await anna.locator('[data-sl="end"]').click();
    await anna.locator('[data-sl="end-confirm"]').waitFor();
    expect(await tab(anna, early.id).getAttribute('data-state')).toBe('active');
    expect(backEvents.map(([event]) => event)).not.toContain('chat:ended');
    await anna.locator('[data-sl="end-confirm"]').click();
    expect((await ended).reason).toBe('operator');
    await anna
      .locator(`[data-sl="conversation-tab"][data-conversation-id="${early.id}"][data-state="ended"]`)
      .waitFor();
    expect(await anna.locator('[data-sl="composer"]').isDisabled()).toBe(true);
    // Bram's conversations are untouched.
    expect(await tab(bram, urgent.id).getAttribute('data-state')).toBe('active');
    expect(await tab(bram, later.id).getAttribute('data-state')).toBe('active');

    // Nothing private ever reached any visitor.
    const everything = JSON.stringify([urgent.events, early.events, later.events, backEvents]);
    expect(everything).not.toContain(note);
    expect(everything).not.toContain(handOver);
    expect(everything).not.toContain('Privé');
    expect(everything).not.toContain('Overdracht');
  }, 120_000);
});
