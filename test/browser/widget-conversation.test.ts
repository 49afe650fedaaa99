import { describe, expect, it } from 'vitest';
import { collect, emitAck, nextEvent } from '../support/clients.ts';
import { useWidgetPage } from './widget-harness.ts';
import {
  chatFrame,
  EMPTY_STATE,
  makeAvailable,
  nextAssignment,
  storedState,
  watchCspViolations,
  watchTraceApis,
} from './widget-support.ts';

type AnyAck = { ok: boolean; [key: string]: unknown };
const HOSTILE = '<img src=x onerror=alert(1)>';

describe('a whole conversation in the widget, with a real operator', () => {
  const w = useWidgetPage({
    env: (host) => ({ EMBED_ORIGINS: host.origin, QUICK_EXIT_URL: host.weatherUrl }),
    operator: { displayName: 'Anna de Vries' },
  });

  it('waits, chats both ways as text, ends on confirmation and leaves no trace', async () => {
    const traceCalls = await watchTraceApis(w.context);
    const violations = watchCspViolations(w.page);
    const dialogs: string[] = [];
    w.page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await w.page.goto(w.host.pageUrl());
    const historyLength = await w.page.evaluate(() => history.length);
    await w.page.locator('[data-sl=launcher]').click();
    const frame = await chatFrame(w.page, w.t.url);

    // Start: who is writing, an optional first message. Inputs keep nothing.
    for (const input of await frame.locator('input, textarea, select').all()) {
      expect(await input.getAttribute('autocomplete')).toBe('off');
    }
    expect(await frame.evaluate(() => document.title)).toBe('Chat');
    await frame.locator('[data-sl=start]').click();
    await frame.getByRole('alert').getByText('Kies eerst wie er schrijft.').waitFor();
    await frame.locator('[data-sl=role-victim]').check();
    await frame.locator('[data-sl=first-message]').fill('Hallo, ik wil iets vragen');
    await frame.locator('[data-sl=start]').click();

    // Waiting: the return code with its explanation, and the place in the queue.
    const code = frame.locator('[data-sl=return-code]');
    await code.waitFor();
    expect(await code.textContent()).toMatch(/^[A-Z]+-\d{5}-[A-Z]+$/);
    await frame
      .getByText('Onthoud de code liever. Schrijf hem alleen op als dat veilig is.', { exact: false })
      .waitFor();
    expect(await frame.locator('[data-sl=queue-position]').textContent()).toBe('Jij bent de volgende.');

    // An operator becomes available and is assigned.
    const assigned = nextEvent<{ conversation: { conversationId: string }; messages: { text: string }[] }>(
      w.operator,
      'chat:assigned',
      { ms: 15_000 },
    );
    await makeAvailable(w.operator);
    const { conversation, messages } = await assigned;
    const conversationId = conversation.conversationId;
    expect(messages.map((m) => m.text)).toEqual(['Hallo, ik wil iets vragen']);
    await frame.getByRole('heading', { name: 'Je praat met Anna' }).waitFor();
    await frame.getByText('Anna is er nu voor je.').waitFor();
    const log = frame.locator('[role=log]');
    expect(await log.getAttribute('aria-live')).toBe('polite');

    // Typing, both ways.
    w.operator.emit('chat:typing', { conversationId, typing: true });
    await frame.locator('[data-sl=typing]').getByText('Anna typt…').waitFor();
    w.operator.emit('chat:typing', { conversationId, typing: false });
    await frame.locator('[data-sl=typing]').waitFor({ state: 'detached' });
    const visitorTyping = nextEvent<{ typing: boolean }>(w.operator, 'chat:typing');
    const composer = frame.locator('[data-sl=composer]');
    await composer.click();
    await w.page.keyboard.type('Regel één');
    expect((await visitorTyping).typing).toBe(true);

    // Shift+Enter is a new line, Enter sends.
    const fromVisitor = collect<{ conversationId: string; text: string; from: string }>(
      w.operator,
      'chat:message',
    );
    await w.page.keyboard.press('Shift+Enter');
    await w.page.keyboard.type('Regel twee');
    await w.page.keyboard.press('Enter');
    const mine = frame.locator('[data-sl=message][data-from=visitor]').last();
    await expect.poll(() => mine.getAttribute('data-status')).toBe('sent');
    expect(await mine.locator('.sl-text').textContent()).toBe('Regel één\nRegel twee');
    expect(await composer.inputValue()).toBe('');
    await expect.poll(() => fromVisitor.map((m) => m.text)).toEqual(['Regel één\nRegel twee']);

    // Operator messages are text, with the operator's first name; hostile markup runs nothing.
    for (const text of ['Fijn dat je schrijft. Ben je nu veilig?', HOSTILE]) {
      const ack = await emitAck<AnyAck>(w.operator, 'chat:message', {
        conversationId,
        clientMessageId: `op-${text.length}`,
        text,
      });
      expect(ack.ok).toBe(true);
    }
    const theirs = frame.locator('[data-sl=message][data-from=operator]');
    await expect.poll(() => theirs.count()).toBe(2);
    expect(await theirs.last().locator('.sl-text').textContent()).toBe(HOSTILE);
    expect(await theirs.first().locator('.sl-who').textContent()).toBe('Anna');
    expect(await frame.locator('img').count()).toBe(0);

    // The counter shows near the 2000-character limit, and the limit holds.
    await composer.fill('x'.repeat(1850));
    expect(await frame.locator('.sl-counter').textContent()).toBe('Nog 150 tekens');
    await composer.fill('y'.repeat(2100));
    expect((await composer.inputValue()).length).toBe(2000);
    await composer.fill('');

    // Ending asks first; then everything is gone from the screen.
    const endedByVisitor = nextEvent<{ conversationId: string; reason: string }>(w.operator, 'chat:ended');
    await frame.locator('[data-sl=end]').click();
    const dialog = frame.getByRole('dialog', { name: 'Gesprek beëindigen?' });
    await dialog.getByRole('button', { name: 'Nee, verder' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await frame.locator('[data-sl=message]').count()).toBeGreaterThan(0);
    await frame.locator('[data-sl=end]').click();
    await frame.locator('[data-sl=end-confirm]').click();
    expect(await endedByVisitor).toEqual({ conversationId, reason: 'visitor' });
    await frame.getByText('Het gesprek is beëindigd en van dit scherm gewist.').waitFor();
    const html = await frame.content();
    for (const gone of ['Regel twee', 'Ben je nu veilig', 'Hallo, ik wil', 'onerror', 'Anna']) {
      expect(html).not.toContain(gone);
    }
    expect(await code.count()).toBe(0);

    // The notice that there was a conversation goes when the widget is hidden: whoever opens
    // it later does not find it (it also goes by itself, session-cleared.test.ts).
    const notice = frame.getByText('Het gesprek is beëindigd en van dit scherm gewist.');
    await frame.getByRole('button', { name: 'Verbergen' }).click();
    await expect.poll(() => w.page.locator('[data-sl=launcher]').getAttribute('aria-expanded')).toBe('false');
    await w.page.locator('[data-sl=launcher]').click();
    await frame.locator('[data-sl=start]').waitFor();
    expect(await notice.count()).toBe(0);

    // No trace: nothing stored anywhere, no history entry, no sound, no notification.
    expect(traceCalls).toEqual([]);
    expect(await w.context.cookies()).toEqual([]);
    expect(await storedState(frame)).toEqual(EMPTY_STATE);
    expect(await storedState(w.page)).toEqual(EMPTY_STATE);
    expect(await w.page.evaluate(() => history.length)).toBe(historyLength);
    const helplinePage = await w.context.newPage();
    await helplinePage.goto(`${w.t.url}/healthz`);
    expect(await storedState(helplinePage)).toEqual(EMPTY_STATE);
    expect(dialogs).toEqual([]);
    expect(violations).toEqual([]);
  });

  it('marks a message whose ack never came as failed, and a retry reuses its clientMessageId', async () => {
    // Drop the server's first acknowledgement of a chat:message: the message is stored, the
    // widget never hears so.
    let ackToDrop: string | undefined;
    let dropped = 0;
    await w.context.routeWebSocket(/\/socket\.io\//, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((message) => {
        const text = String(message);
        const emit = /^42\/visitor,(\d+)\["chat:message"/.exec(text);
        if (emit && ackToDrop === undefined) ackToDrop = emit[1];
        server.send(message);
      });
      server.onMessage((message) => {
        if (
          ackToDrop !== undefined &&
          String(message).startsWith(`43/visitor,${ackToDrop}[`) &&
          dropped === 0
        ) {
          dropped++;
          return;
        }
        ws.send(message);
      });
    });
    await w.page.goto(w.host.pageUrl());
    await w.page.locator('[data-sl=launcher]').click();
    const frame = await chatFrame(w.page, w.t.url);
    const assigned = nextAssignment(w.operator);
    await makeAvailable(w.operator);
    await frame.locator('[data-sl=role-concerned]').check();
    await frame.locator('[data-sl=start]').click();
    await assigned;
    const received = collect<{ text: string; messageId: string }>(w.operator, 'chat:message');

    await frame.locator('[data-sl=composer]').fill('Mijn zus wordt bedreigd');
    await frame.locator('[data-sl=send]').click();
    const line = frame.locator('[data-sl=message][data-from=visitor]');
    expect(await line.getAttribute('data-status')).toBe('pending');
    await expect.poll(() => line.getAttribute('data-status'), { timeout: 15_000 }).toBe('failed');
    expect(dropped).toBe(1);
    await line.getByRole('button', { name: 'Opnieuw versturen' }).click();
    await expect.poll(() => line.getAttribute('data-status')).toBe('sent');
    // Stored once, relayed once: the retry carried the same clientMessageId.
    expect(received.map((m) => m.text)).toEqual(['Mijn zus wordt bedreigd']);
    expect(await line.count()).toBe(1);
  });

  it('with nobody staffed says so, without an estimate, and shows 0800-2000 and 112 while staying in the queue', async () => {
    await w.page.goto(w.host.pageUrl());
    await w.page.locator('[data-sl=launcher]').click();
    const frame = await chatFrame(w.page, w.t.url);
    await frame.locator('[data-sl=role-professional]').check();
    await frame.locator('[data-sl=urgent]').check();
    const danger = frame.getByRole('region', { name: 'In gevaar? Bel 112' });
    await danger
      .getByText('Kun je praten? Bel 112. Kun je niet praten? Chat met ons: wij kunnen 112 voor je bellen.')
      .waitFor();
    expect(await danger.getByRole('link', { name: 'Bel 112' }).getAttribute('href')).toBe('tel:112');
    await frame.locator('[data-sl=start]').click();
    await frame.locator('[data-sl=queue-position]').waitFor();
    // The operator is signed in but away: nobody staffed.
    await frame
      .getByText(
        'Er is nu niemand beschikbaar om te antwoorden. Je blijft in de rij: zodra er iemand is, krijg je antwoord.',
      )
      .waitFor();
    expect(await frame.getByText(/Verwachte wachttijd/).count()).toBe(0);
    await frame.getByRole('heading', { name: 'Wil je nu met iemand praten?' }).waitFor();
    expect(await frame.getByRole('link', { name: /Veilig Thuis: 0800-2000/ }).getAttribute('href')).toBe(
      'tel:08002000',
    );
    // Still queued: an operator who comes gets this conversation, urgent.
    const assigned = nextEvent<{ conversation: { urgent: boolean; role: string } }>(
      w.operator,
      'chat:assigned',
      {
        ms: 15_000,
      },
    );
    await makeAvailable(w.operator);
    expect((await assigned).conversation).toMatchObject({ urgent: true, role: 'professional' });
    await frame.getByRole('heading', { name: 'Je praat met Anna' }).waitFor();
    // In danger, 112 stays in view while chatting.
    expect(await danger.isVisible()).toBe(true);
  });
});
