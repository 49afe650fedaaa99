import { randomUUID } from 'node:crypto';
import AxeBuilder from '@axe-core/playwright';
import type { Message, ResumeAck, StartAck, VisitorStart } from '@stille-lijn/shared';
import type { Page } from 'playwright-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app.ts';
import { createConsoleAccount, signInConsole } from '../support/browser.ts';
import { connectVisitor, emitAck, nextEvent, type VisitorSocket } from '../support/clients.ts';
import { useConsole } from './console-harness.ts';

const SAFETY_CHECK_NL = 'Is het nu veilig om te chatten? Kan iemand meelezen? Hoeveel tijd heb je?';

type Ok<T> = { ok: true } & T;

describe('operator console', () => {
  // Each test has its own app (its own Redis prefix), so no visitor waits over from an earlier one.
  const ui = useConsole({ context: { viewport: { width: 1400, height: 900 } } });
  let t: TestApp;
  let page: Page;
  const visitors: VisitorSocket[] = [];

  beforeEach(async () => {
    t = ui.t;
    page = await ui.newPage();
  });

  afterEach(() => {
    for (const v of visitors.splice(0)) v.disconnect();
  });

  async function startVisitor(start: VisitorStart) {
    const socket = await connectVisitor(t.url);
    visitors.push(socket);
    const events: unknown[] = [];
    socket.onAny((event: string, payload: unknown) => events.push([event, payload]));
    const ack = await emitAck<Ok<StartAck>>(socket, 'chat:start', start);
    expect(ack.ok).toBe(true);
    return { socket, events, ack };
  }

  async function axeViolations(): Promise<string[]> {
    const result = await new AxeBuilder({ page }).analyze();
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }

  function storageLeftBehind() {
    return page.evaluate(async () => ({
      localStorage: localStorage.length,
      sessionStorage: sessionStorage.length,
      cookies: document.cookie,
      indexedDB: (await indexedDB.databases()).length,
      caches: (await caches.keys()).length,
    }));
  }

  it('a shift in miniature: accept, messages both ways, a private note, quick exit and return, end', async () => {
    const account = await createConsoleAccount(t);
    const visitor = await startVisitor({
      role: 'victim',
      language: 'nl',
      urgent: true,
      text: 'Ik ben bang, hij is thuis',
    });
    const id = visitor.ack.conversationId;

    await signInConsole(page, t.url, account);
    const item = page.locator(`[data-sl="queue-item"][data-conversation-id="${id}"]`);
    await item.waitFor();
    expect(await item.getAttribute('data-urgent')).toBe('true');

    const assigned = nextEvent(visitor.socket, 'chat:assigned');
    await item.locator('[data-sl="accept"]').click();
    await assigned;
    const tab = page.locator(`[data-sl="conversation-tab"][data-conversation-id="${id}"]`);
    await tab.waitFor();
    expect(await tab.getAttribute('data-state')).toBe('active');
    await item.waitFor({ state: 'detached' });
    await page
      .locator('[data-sl="message"][data-from="visitor"]', { hasText: 'Ik ben bang, hij is thuis' })
      .waitFor();

    // The opening safety check from the canned responses, edited before it is sent.
    const composer = page.locator('[data-sl="composer"]');
    await composer.fill('/meelezen');
    await page.locator('[data-sl="canned-option"]').first().waitFor();
    await composer.press('Enter');
    expect(await composer.inputValue()).toBe(SAFETY_CHECK_NL);
    await composer.press('End');
    await composer.pressSequentially(' Neem je tijd.');
    const toVisitor = nextEvent<Message>(visitor.socket, 'chat:message', {
      where: (m) => m.from === 'operator',
    });
    await page.locator('[data-sl="send"]').click();
    expect((await toVisitor).text).toBe(`${SAFETY_CHECK_NL} Neem je tijd.`);
    await page.locator('[data-sl="message"][data-from="operator"][data-status="sent"]').waitFor();
    expect(await composer.inputValue()).toBe('');

    // Typing, both ways.
    const operatorTyping = nextEvent<{ typing: boolean }>(visitor.socket, 'chat:typing', {
      where: (p) => p.typing,
    });
    await composer.pressSequentially('Ik');
    await operatorTyping;
    visitor.socket.emit('chat:typing', { typing: true });
    await page.locator('[data-sl="visitor-typing"]').waitFor({ state: 'visible' });

    // The visitor answers.
    await emitAck(visitor.socket, 'chat:message', {
      clientMessageId: randomUUID(),
      text: 'Ja, even. Hij slaapt.',
    });
    await page
      .locator('[data-sl="message"][data-from="visitor"]', { hasText: 'Ja, even. Hij slaapt.' })
      .waitFor();
    await page.locator('[data-sl="visitor-typing"]').waitFor({ state: 'hidden' });

    // A private note: shown beside the conversation, never sent to the visitor.
    const note = `Privé ${randomUUID().slice(0, 8)}: slachtoffer fluistert, pleger in huis`;
    await page.locator('[data-sl="note-input"]').fill(note);
    await page.locator('[data-sl="note-add"]').click();
    await page.locator('[data-sl="note"]', { hasText: note }).waitFor();

    // Quick exit: marked in the list at once, with the return window counting down.
    await emitAck(visitor.socket, 'chat:leave', { reason: 'quick-exit' });
    const left = tab.locator('[data-sl="visitor-left"]');
    await left.waitFor();
    expect(await left.getAttribute('data-reason')).toBe('quick-exit');
    await page.locator('[data-sl="return-countdown"]').waitFor();
    await page.locator('[data-sl="announcer"] [data-kind="visitor-left"]').waitFor();
    visitor.socket.disconnect();

    // The visitor comes back with the return code: announced in the live region.
    const back = await connectVisitor(t.url);
    visitors.push(back);
    const backEvents: unknown[] = [];
    back.onAny((event: string, payload: unknown) => backEvents.push([event, payload]));
    const resumed = await emitAck<Ok<ResumeAck>>(back, 'chat:resume', { returnCode: visitor.ack.returnCode });
    expect(resumed.ok).toBe(true);
    await tab.locator('[data-sl="visitor-returned"]').waitFor();
    expect(await tab.locator('[data-sl="visitor-left"]').count()).toBe(0);
    const announcer = page.locator('[data-sl="announcer"]');
    await announcer.locator(`[data-kind="visitor-returned"][data-conversation-id="${id}"]`).waitFor();
    expect(await announcer.getAttribute('aria-live')).toBe('polite');

    // End, with confirmation; the conversation stays readable until it is closed.
    const ended = nextEvent(back, 'chat:ended');
    await page.locator('[data-sl="end"]').click();
    await page.locator('[data-sl="end-confirm"]').click();
    await ended;
    await page
      .locator(`[data-sl="conversation-tab"][data-conversation-id="${id}"][data-state="ended"]`)
      .waitFor();
    expect(await composer.isDisabled()).toBe(true);
    expect(await page.locator('[data-sl="message"]').count()).toBeGreaterThanOrEqual(3);
    await page.locator('[data-sl="close"]').click();
    await tab.waitFor({ state: 'detached' });

    expect(JSON.stringify([...visitor.events, ...backEvents])).not.toContain(note);
    expect(await storageLeftBehind()).toEqual({
      localStorage: 0,
      sessionStorage: 0,
      cookies: '',
      indexedDB: 0,
      caches: 0,
    });
  });

  it('risk checklist, tags, acute danger and transfer; supervisor figures; no accessibility violations', async () => {
    const account = await createConsoleAccount(t, { role: 'supervisor' });
    const visitor = await startVisitor({ role: 'concerned', language: 'en', text: 'My sister is in danger' });
    const id = visitor.ack.conversationId;
    await signInConsole(page, t.url, account);
    expect(await axeViolations()).toEqual([]);

    await page.locator(`[data-sl="queue-item"][data-conversation-id="${id}"] [data-sl="accept"]`).click();
    const tab = page.locator(`[data-sl="conversation-tab"][data-conversation-id="${id}"]`);
    await tab.waitFor();
    expect(await tab.getAttribute('data-urgent')).toBe('false');

    // The checklist scores live; a red flag alone makes it high; answering again clears it.
    const level = page.locator('[data-sl="risk-level"]');
    expect(await level.getAttribute('data-level')).toBe('standard');
    const strangulation = page.locator('[data-sl="checklist-item"][data-item-id="strangulation"]');
    await strangulation.locator('[data-sl="answer-yes"]').click();
    await page.locator('[data-sl="risk-level"][data-level="high"]').waitFor();
    expect(await strangulation.locator('[data-sl="answer-yes"]').getAttribute('aria-pressed')).toBe('true');
    await strangulation.locator('[data-sl="answer-yes"]').click();
    await page.locator('[data-sl="risk-level"][data-level="standard"]').waitFor();
    await page
      .locator('[data-sl="checklist-item"][data-item-id="injury"] [data-sl="answer-unknown"]')
      .click();
    expect(await level.getAttribute('data-score')).toBe('0');

    // An override needs a written reason.
    await page.locator('[data-sl="risk-override-level"]').selectOption('medium');
    await page.locator('[data-sl="risk-override-apply"]').click();
    await page.locator('[data-sl="risk-override-error"]').waitFor();
    expect(await level.getAttribute('data-level')).toBe('standard');
    await page.locator('[data-sl="risk-override-reason"]').fill('Recent threats reported by the sister.');
    await page.locator('[data-sl="risk-override-apply"]').click();
    await page.locator('[data-sl="risk-level"][data-level="medium"]').waitFor();
    await page.locator('[data-sl="risk-save"]').click();
    await page
      .locator(
        '.risk [data-sl="sync-status"][data-sync="local-only"], .risk [data-sl="sync-status"][data-sync="saved"]',
      )
      .waitFor();

    // Tags, kept in the conversation's state until the server stores them.
    await page.locator('[data-sl="tag"][data-tag="coercive-control"]').check();
    await page
      .locator(
        '.tags [data-sl="sync-status"][data-sync="local-only"], .tags [data-sl="sync-status"][data-sync="saved"]',
      )
      .waitFor();

    // Acute danger: marked urgent at once, and the 112 script in the visitor's language.
    await page.locator('[data-sl="acute-danger"]').click();
    await page
      .locator(`[data-sl="conversation-tab"][data-conversation-id="${id}"][data-urgent="true"]`)
      .waitFor();
    await page.locator('[data-sl="acute-panel"]').waitFor();
    await page.locator('[data-sl="acute-insert-location"]').click();
    expect(await page.locator('[data-sl="composer"]').inputValue()).toContain('Where are you right now?');
    await page.locator('[data-sl="acute-location"]').fill('Utrecht, near the station');
    await page.locator('[data-sl="acute-consent-yes"]').check();
    await page.locator('[data-sl="acute-save"]').click();
    await page
      .locator(
        '.acute [data-sl="sync-status"][data-sync="local-only"], .acute [data-sl="sync-status"][data-sync="saved"]',
      )
      .waitFor();
    expect(await axeViolations()).toEqual([]);

    // The shortcuts dialog.
    await page.keyboard.press('Alt+KeyH');
    await page.locator('[data-sl="help"][open]').waitFor();
    expect(await axeViolations()).toEqual([]);
    await page.keyboard.press('Escape');
    await page.locator('[data-sl="help"][open]').waitFor({ state: 'detached' });

    // Transfer back to the queue, with a hand-over note.
    const requeued = nextEvent(visitor.socket, 'queue:position');
    await page.locator('[data-sl="transfer"]').click();
    await page.locator('[data-sl="transfer-note"]').fill('Needs an English-speaking colleague.');
    await page.locator('[data-sl="transfer-confirm"]').click();
    await requeued;
    await tab.waitFor({ state: 'detached' });
    await page.locator(`[data-sl="queue-item"][data-conversation-id="${id}"]`).waitFor();

    // Supervisors see the live figures; there is no admin view for them.
    expect(await page.locator('[data-sl="view-admin"]').count()).toBe(0);
    await page.locator('[data-sl="view-supervisor"]').click();
    const stats = page.locator('[data-sl="stats"]');
    await stats.waitFor();
    const figures = await stats
      .locator(':scope > [data-stat]')
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-stat')));
    // The seven figures of the contract come first; the server may add more.
    expect(figures.slice(0, 7)).toEqual([
      'waiting',
      'longestWaitSeconds',
      'active',
      'operatorsAvailable',
      'operatorsBusy',
      'endedToday',
      'abandonedToday',
    ]);
    expect(
      Number(await stats.locator('[data-stat="waiting"]').getAttribute('data-value')),
    ).toBeGreaterThanOrEqual(1);
    expect(await axeViolations()).toEqual([]);
  }, 120_000);

  it('works by keyboard alone: sign in, go available, answer two visitors, switch, note, end', async () => {
    const account = await createConsoleAccount(t);
    const first = await startVisitor({ role: 'victim', language: 'nl', text: 'Eerste bezoeker' });
    await page.goto(`${t.url}/console/`);
    await page.locator('[data-sl="login-username"]:focus').waitFor();
    await page.keyboard.type(account.username);
    await page.keyboard.press('Tab');
    await page.keyboard.type(account.password);
    await page.keyboard.press('Enter');
    await page.locator('[data-sl="status-toggle"]:not([disabled])').waitFor();

    const focused = (sl: string) => page.locator(`[data-sl="${sl}"]:focus`);
    async function tabTo(sl: string, max = 80): Promise<void> {
      for (let i = 0; i < max; i++) {
        if ((await focused(sl).count()) > 0) return;
        await page.keyboard.press('Tab');
      }
      throw new Error(`never reached ${sl} by Tab`);
    }
    const outline = () =>
      page.evaluate(() => {
        const el = document.activeElement;
        return el ? getComputedStyle(el).outlineStyle : 'none';
      });

    // Going available assigns the waiting visitor without a click.
    await tabTo('status-toggle');
    expect(await outline()).not.toBe('none');
    const assigned = nextEvent(first.socket, 'chat:assigned');
    await page.keyboard.press('Space');
    await assigned;
    await page.locator('[data-sl="status-toggle"][data-status="available"]').waitFor();
    await page.locator('[data-sl="conversation-tab"]').waitFor();

    await page.keyboard.press('Alt+KeyC');
    await focused('composer').waitFor();
    const hello = nextEvent<Message>(first.socket, 'chat:message', { where: (m) => m.from === 'operator' });
    await page.keyboard.type('Hallo, ik ben Anna.');
    await page.keyboard.press('Enter');
    expect((await hello).text).toBe('Hallo, ik ben Anna.');

    // A second visitor arrives and is assigned too; Alt+2 and Alt+1 switch between them.
    const second = await startVisitor({ role: 'bystander', language: 'nl', text: 'Tweede bezoeker' });
    await page.locator('[data-sl="conversation-tab"]').nth(1).waitFor();
    await page.keyboard.press('Alt+Digit2');
    await page
      .locator(
        `[data-sl="conversation-tab"][data-conversation-id="${second.ack.conversationId}"][aria-selected="true"]`,
      )
      .waitFor();
    await focused('composer').waitFor();
    await page.keyboard.press('Alt+Digit1');
    await page
      .locator(
        `[data-sl="conversation-tab"][data-conversation-id="${first.ack.conversationId}"][aria-selected="true"]`,
      )
      .waitFor();
    await page.keyboard.press('Alt+ArrowDown');
    await page
      .locator(
        `[data-sl="conversation-tab"][data-conversation-id="${second.ack.conversationId}"][aria-selected="true"]`,
      )
      .waitFor();
    // The switch moves the focus to the composer in an effect after the tab shows as
    // selected: typing before it lands would miss the composer.
    await focused('composer').waitFor();

    // A canned response by keyboard: "/" and a search word, Enter inserts, Enter sends.
    const canned = nextEvent<Message>(second.socket, 'chat:message', { where: (m) => m.from === 'operator' });
    await page.keyboard.type('/tijd');
    await page.locator('[data-sl="canned-option"][aria-selected="true"]').waitFor();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    expect((await canned).text).toBe('Neem rustig de tijd. Ik blijf hier.');

    await page.keyboard.press('Alt+KeyN');
    await focused('note-input').waitFor();
    await page.keyboard.type('Omstander belt namens buurvrouw.');
    await page.keyboard.press('Tab');
    await focused('note-add').waitFor();
    await page.keyboard.press('Enter');
    await page.locator('[data-sl="note"]', { hasText: 'Omstander belt namens buurvrouw.' }).waitFor();

    // The help dialog opens and closes from the keyboard.
    await page.keyboard.press('Alt+KeyH');
    await page.locator('[data-sl="help"][open]').waitFor();
    await page.keyboard.press('Escape');
    await page.locator('[data-sl="help"][open]').waitFor({ state: 'detached' });

    // End by keyboard: the confirmation takes the focus.
    await page.keyboard.press('Alt+KeyL');
    await tabTo('end');
    expect(await outline()).not.toBe('none');
    const ended = nextEvent(second.socket, 'chat:ended');
    await page.keyboard.press('Enter');
    await focused('end-confirm').waitFor();
    await page.keyboard.press('Enter');
    await ended;
    await page
      .locator(
        `[data-sl="conversation-tab"][data-conversation-id="${second.ack.conversationId}"][data-state="ended"]`,
      )
      .waitFor();
  });
});
