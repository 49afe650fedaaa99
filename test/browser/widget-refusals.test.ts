/**
 * Issue 8's refusals as the visitor meets them, against the real server with its limits
 * set low: too many conversations from one address, a blocked address, too many messages
 * while waiting, a conversation at its byte cap, and too many wrong return codes. Each
 * keeps a way on: the return code, the phone numbers, the typed text. Chromium, data-sl.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  collect,
  connectVisitor,
  emitAck,
  type OperatorSocket,
  type VisitorSocket,
} from '../support/clients.ts';
import { useWidgetPage } from './widget-harness.ts';
import { makeAvailable, nextAssignment, signInOperator, watchTraceApis } from './widget-support.ts';

/** What the server pushes may take a while on a busy machine; vitest's poll gives up after 1 s. */
const PUSHED = { timeout: 10_000 };
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];
type AnyAck = { ok: boolean; error?: { code: string; reason?: string }; [k: string]: unknown };

async function axe(page: Page, screen: string, problems: string[]): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  for (const v of results.violations) {
    problems.push(`${screen}: ${v.id} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }
}

/** The phone numbers of a refusal, as links. */
async function phoneLinks(page: Page, within: string): Promise<(string | null)[]> {
  return page
    .locator(`${within} [data-sl=alternatives] a`)
    .evaluateAll((links) => links.map((a) => a.getAttribute('href')));
}

describe('refusals in the widget, each with a way on', () => {
  const w = useWidgetPage({ context: { viewport: { width: 400, height: 800 } } });
  const sockets: { disconnect(): unknown }[] = [];

  afterEach(() => {
    for (const s of sockets.splice(0)) s.disconnect();
  });

  async function visitor(): Promise<VisitorSocket> {
    const v = await connectVisitor(w.t.url);
    sockets.push(v);
    return v;
  }
  async function operator(available = false): Promise<OperatorSocket> {
    const op = await signInOperator(w.t, {
      displayName: 'Sanne Bakker',
      languages: ['nl', 'en', 'tr', 'pl'],
      available,
    });
    sockets.push(op);
    return op;
  }
  async function startInWidget(lang = 'nl', first = ''): Promise<void> {
    await w.page.goto(`${w.t.url}/chat?lang=${lang}`);
    await w.page.locator('[data-sl=role-victim]').check();
    if (first) await w.page.locator('[data-sl=first-message]').fill(first);
    await w.page.locator('[data-sl=start]').click();
  }

  it('too many conversations from this address: offers the return code first, and 0800-2000 and 112', async () => {
    await w.startApp({ VISITOR_OPEN_PER_ADDRESS: '1' });
    const traceCalls = await watchTraceApis(w.context);
    // Someone on this address already has a conversation open, and quick-exited it.
    const earlier = await visitor();
    const started = await emitAck<AnyAck & { returnCode: string }>(earlier, 'chat:start', {
      role: 'victim',
      language: 'nl',
    });
    expect(started.ok).toBe(true);

    await startInWidget();
    const refused = w.page.locator('[data-sl=start-refused]');
    await refused.waitFor();
    expect(await refused.getAttribute('data-reason')).toBe('open-limit');
    expect(await refused.getByRole('alert').textContent()).toBe(
      'Vanaf deze verbinding zijn al veel gesprekken open. Had je al een gesprek? Ga dan verder met je terugkeercode.',
    );
    expect(await phoneLinks(w.page, '[data-sl=start-refused]')).toEqual(['tel:08002000', 'tel:112']);
    // The generic "no connection" error is not what the visitor is told.
    expect(await w.page.getByText('Er is nu geen verbinding').count()).toBe(0);
    expect(await w.page.locator('[data-sl=have-return-code]').count()).toBe(1);
    const problems: string[] = [];
    await axe(w.page, 'start refused, open limit', problems);

    // The return code flow, from the refusal: the earlier conversation goes on here.
    await emitAck(earlier, 'chat:leave', { reason: 'quick-exit' });
    await refused.locator('[data-sl=have-return-code]').click();
    await w.page.locator('[data-sl=return-code-input]').fill(started.returnCode.toLowerCase());
    await w.page.locator('[data-sl=resume]').click();
    await w.page.locator('[data-sl=queue-position]').waitFor();
    expect(await w.page.locator('[data-sl=return-code]').textContent()).not.toBe(started.returnCode);
    expect(problems).toEqual([]);
    expect(traceCalls).toEqual([]);
  });

  it('a blocked address sees 0800-2000 and 112 in its language, never a bare error', async () => {
    await w.startApp();
    const op = await operator(true);
    const assigned = nextAssignment(op);
    await startInWidget('tr', 'merhaba');
    const conversationId = await assigned;
    await w.page.locator('[data-sl=composer]').waitFor();
    expect((await emitAck<AnyAck>(op, 'chat:block', { conversationId })).ok).toBe(true);
    await w.page.locator('.sl-ended').waitFor();
    // Ended by a block: the numbers are there at once, before any new start.
    expect(await phoneLinks(w.page, '.sl-ended')).toEqual(['tel:08002000', 'tel:112']);

    // Start again from the same address: refused, in Turkish, with the numbers.
    await w.page.getByRole('button', { name: 'Sil ve yeniden başla' }).click();
    await w.page.locator('[data-sl=role-victim]').check();
    await w.page.locator('[data-sl=start]').click();
    const refused = w.page.locator('[data-sl=start-refused]');
    await refused.waitFor();
    expect(await refused.getAttribute('data-reason')).toBe('blocked');
    expect(await refused.getByRole('heading').textContent()).toBe('Şu anda sohbet mümkün değil');
    expect(await refused.getByRole('alert').textContent()).toBe(
      'Şu anda bir sohbet başlatamazsınız. Biriyle konuşmak ister misiniz? Veilig Thuis’i arayın. Acil tehlikede: 112’yi arayın.',
    );
    expect(await phoneLinks(w.page, '[data-sl=start-refused]')).toEqual(['tel:08002000', 'tel:112']);
    expect(await refused.textContent()).not.toMatch(/forbidden|blocked|engellen/i);
    // A blocked address has no conversation to go back to: no return-code offer in the refusal.
    expect(await refused.locator('[data-sl=have-return-code]').count()).toBe(0);
    const problems: string[] = [];
    await axe(w.page, 'start refused, blocked (tr)', problems);
    expect(problems).toEqual([]);
  });

  it('a start that fails for no known reason keeps the “no connection” alert and Start, and adds 0800-2000 and 112', async () => {
    await w.startApp();
    // The server answers her chat:start with `unavailable` and no reason (a restart, Redis
    // away): the emit never reaches it, the answer is made here.
    let refusedStarts = 0;
    let refuse = true;
    await w.context.routeWebSocket(/\/socket\.io\//, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((message) => {
        const start = /^42\/visitor,(\d+)\["chat:start"/.exec(String(message));
        if (start && refuse) {
          refusedStarts++;
          ws.send(
            `43/visitor,${start[1]}[${JSON.stringify({
              ok: false,
              error: { code: 'unavailable', message: 'The service is temporarily unavailable.' },
            })}]`,
          );
          return;
        }
        server.send(message);
      });
      server.onMessage((message) => ws.send(message));
    });

    await startInWidget('nl', 'Hij staat voor de deur');
    const alert = w.page.locator('.sl-error[role=alert]');
    await alert.waitFor(PUSHED);
    expect(refusedStarts).toBe(1);
    expect(await alert.textContent()).toBe('Er is nu geen verbinding. Probeer het zo opnieuw.');
    // Never a bare error: the numbers that are always there, as links, with the alert.
    expect(await phoneLinks(w.page, 'main')).toEqual(['tel:08002000', 'tel:112']);
    const failed = w.page.locator('[data-sl=start-failed]');
    expect(await phoneLinks(w.page, '[data-sl=start-failed]')).toEqual(['tel:08002000', 'tel:112']);
    expect(await failed.getByRole('alert').textContent()).toBe(await alert.textContent());
    for (const name of ['Bel Veilig Thuis: 0800-2000 (gratis, dag en nacht)', 'In acuut gevaar: bel 112']) {
      expect(await failed.getByRole('link', { name }).isVisible()).toBe(true);
    }
    // Not a refusal: Start is there to try again, and her way back by code too.
    expect(await w.page.locator('[data-sl=start-refused]').count()).toBe(0);
    const start = w.page.locator('[data-sl=start]');
    expect(await start.textContent()).toBe('Start de chat');
    expect(await start.getAttribute('aria-disabled')).toBe('false');
    expect(await w.page.locator('[data-sl=have-return-code]').count()).toBe(1);
    const problems: string[] = [];
    await axe(w.page, 'start failed, no known reason', problems);
    expect(problems).toEqual([]);

    // The line is back: the same Start opens the conversation, and the numbers go.
    refuse = false;
    await start.click();
    await w.page.locator('[data-sl=queue-position]').waitFor(PUSHED);
    expect(await failed.count()).toBe(0);
  });

  it('a return by code without a connection keeps its alert and adds 0800-2000 and 112', async () => {
    await w.startApp();
    // The conversation's chunk does not arrive: the return by code cannot even be tried.
    await w.page.route(/\/chat\/assets\/live-[^/]+\.js$/, (route) => route.abort('failed'));
    await w.page.goto(`${w.t.url}/chat`);
    await w.page.locator('[data-sl=have-return-code]').click();
    await w.page.locator('[data-sl=return-code-input]').fill('ZON-12345-TULP');
    await w.page.locator('[data-sl=resume]').click();
    const alert = w.page.locator('.sl-error[role=alert]');
    await alert.waitFor(PUSHED);
    expect(await alert.textContent()).toBe(
      'Deze code werkt niet (meer). Een code werkt één keer, en alleen kort na het weggaan. Je kunt een nieuw gesprek beginnen.',
    );
    expect(await phoneLinks(w.page, 'main')).toEqual(['tel:08002000', 'tel:112']);
    expect(await phoneLinks(w.page, '[data-sl=return-failed]')).toEqual(['tel:08002000', 'tel:112']);
    // She can try again, or go back and start.
    expect(await w.page.locator('[data-sl=resume]').getAttribute('aria-disabled')).toBe('false');
    expect(await w.page.locator('[data-sl=return-code-input]').inputValue()).toBe('ZON-12345-TULP');
    const problems: string[] = [];
    await axe(w.page, 'return by code failed, no connection', problems);
    await w.page.unrouteAll({ behavior: 'ignoreErrors' });
    expect(problems).toEqual([]);
  });

  it('too many messages while waiting: told so, the text kept in the composer, sent once someone is there', async () => {
    await w.startApp({ WAITING_MESSAGES: '2' });
    const op = await operator();
    await startInWidget('nl', 'Hallo');
    const composer = w.page.locator('[data-sl=composer]');
    await composer.fill('Hij is boos');
    await w.page.locator('[data-sl=send]').click();
    const sent = w.page.locator('[data-sl=message][data-from=visitor]');
    await expect.poll(() => sent.last().getAttribute('data-status'), PUSHED).toBe('sent');

    await composer.fill('Ik weet niet wat ik moet doen');
    await w.page.locator('[data-sl=send]').click();
    const refused = w.page.locator('[data-sl=message-refused]');
    await refused.waitFor();
    expect(await refused.getAttribute('data-reason')).toBe('waiting-messages');
    expect(await refused.getByRole('alert').textContent()).toBe(
      'Je hebt al veel berichten gestuurd terwijl je wacht. Dit bericht is niet verstuurd; het staat nog in het invoerveld. Verstuur het als een hulpverlener er is.',
    );
    expect(await composer.inputValue()).toBe('Ik weet niet wat ik moet doen');
    expect(await sent.count()).toBe(2);
    expect(await w.page.locator('[role=log]').textContent()).not.toContain('Ik weet niet');
    expect(await w.page.evaluate(() => document.activeElement?.getAttribute('data-sl'))).toBe('composer');
    const problems: string[] = [];
    await axe(w.page, 'message refused while waiting', problems);

    // An operator takes the conversation: the count resets, the kept text goes once.
    const assigned = nextAssignment(op);
    await makeAvailable(op);
    await assigned;
    await refused.waitFor({ state: 'detached' });
    const received = collect<{ text: string }>(op, 'chat:message');
    await w.page.locator('[data-sl=send]').click();
    await expect.poll(() => received.map((m) => m.text), PUSHED).toEqual(['Ik weet niet wat ik moet doen']);
    expect(await composer.inputValue()).toBe('');
    expect(problems).toEqual([]);
  });

  it('a conversation at its byte cap: told so in Polish with the numbers, the text kept, nothing stored', async () => {
    await w.startApp({ CONVERSATION_MAX_KB: '4' });
    const op = await operator(true);
    const assigned = nextAssignment(op);
    await startInWidget('pl');
    await assigned;
    const composer = w.page.locator('[data-sl=composer]');
    const sent = w.page.locator('[data-sl=message][data-from=visitor]');
    for (const ch of ['a', 'b']) {
      await composer.fill(ch.repeat(2000));
      await w.page.locator('[data-sl=send]').click();
      await expect.poll(() => sent.last().getAttribute('data-status'), PUSHED).toBe('sent');
    }
    const received = collect<{ text: string }>(op, 'chat:message');
    // 4,000 bytes stored; 200 more pass the 4,096-byte cap.
    const last = 'Czy ktoś to jeszcze czyta? '.padEnd(200, '.');
    await composer.fill(last);
    await w.page.locator('[data-sl=send]').click();
    const refused = w.page.locator('[data-sl=message-refused]');
    await refused.waitFor();
    expect(await refused.getAttribute('data-reason')).toBe('conversation-full');
    expect(await refused.getByRole('alert').textContent()).toContain('Ta rozmowa jest już za długa');
    expect(await phoneLinks(w.page, '[data-sl=message-refused]')).toEqual(['tel:08002000', 'tel:112']);
    expect(await composer.inputValue()).toBe(last);
    expect(await sent.count()).toBe(2);
    await sleep(300);
    expect(received).toEqual([]);
    const problems: string[] = [];
    await axe(w.page, 'message refused, conversation full (pl)', problems);
    expect(problems).toEqual([]);
  });

  it('too many wrong return codes: says after how many seconds to try again, with 0800-2000 and 112', async () => {
    await w.startApp();
    // Wrong codes from this address until each further try must wait at least 8 s.
    const guesser = await visitor();
    for (let i = 0; i < 40; i++) {
      const ack = await emitAck<AnyAck & { retryAfterSeconds?: number }>(guesser, 'chat:resume', {
        returnCode: `FOUT-${String(i).padStart(5, '0')}-CODE`,
      });
      expect(ack.ok).toBe(false);
      if (ack.error?.code !== 'rate_limited') continue;
      const wait = ack.retryAfterSeconds ?? 0;
      if (wait >= 8) break;
      await sleep(wait * 1000 + 50);
    }

    await w.page.goto(`${w.t.url}/chat`);
    await w.page.locator('[data-sl=have-return-code]').click();
    await w.page.locator('[data-sl=return-code-input]').fill('ZON-12345-TULP');
    await w.page.locator('[data-sl=resume]').click();
    const refused = w.page.locator('[data-sl=return-refused]');
    await refused.waitFor();
    const seconds = Number(await refused.getAttribute('data-retry-after'));
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(60);
    expect(await refused.textContent()).toBe(
      `Er zijn te veel codes geprobeerd. Probeer het over ${seconds === 1 ? '1 seconde' : `${seconds} seconden`} opnieuw.`,
    );
    expect(await w.page.getByText('Deze code werkt niet').count()).toBe(0);
    // Never a bare error: the numbers are there while she waits.
    expect(await phoneLinks(w.page, 'main')).toEqual(['tel:08002000', 'tel:112']);
    // The code stays in the field, ready for the next try.
    expect(await w.page.locator('[data-sl=return-code-input]').inputValue()).toBe('ZON-12345-TULP');
    const problems: string[] = [];
    await axe(w.page, 'return code throttled', problems);
    expect(problems).toEqual([]);
  });

  it('past the connection rate of the address: the numbers on Start, and her return code still gets her in', async () => {
    await w.startApp({ VISITOR_CONNECTIONS_PER_MIN: '2' });
    // Her conversation, quick-exited earlier from this address.
    const earlier = await visitor();
    const started = await emitAck<AnyAck & { returnCode: string; conversationId: string }>(
      earlier,
      'chat:start',
      {
        role: 'victim',
        language: 'nl',
      },
    );
    expect(started.ok).toBe(true);
    await emitAck(earlier, 'chat:leave', { reason: 'quick-exit' });
    // Someone on this address spent the rest of its connections of this minute
    // (VISITOR_CONNECTIONS_PER_MIN). The widget's own is admitted, but may not start.
    await visitor();
    const conversationKeys = async () =>
      (await w.t.app.redis.keys(`${w.t.config.redisPrefix}:conv:*`)).sort();
    const before = await conversationKeys();

    await startInWidget();
    // Either what she should see, or (wrongly) "no connection".
    await w.page.locator('[data-sl=start-refused], .sl-error').first().waitFor({ timeout: 20_000 });
    expect(await w.page.getByText('Er is nu geen verbinding').count()).toBe(0);
    const refused = w.page.locator('[data-sl=start-refused]');
    expect(await refused.getAttribute('data-reason')).toBe('open-limit');
    expect(await phoneLinks(w.page, '[data-sl=start-refused]')).toEqual(['tel:08002000', 'tel:112']);
    const problems: string[] = [];
    await axe(w.page, 'start refused past the connection rate', problems);
    expect(problems).toEqual([]);
    // Nothing was opened for it.
    expect(await conversationKeys()).toEqual(before);

    // The way on it offers works past the rate as well: her code gets her back in.
    await refused.locator('[data-sl=have-return-code]').click();
    await w.page.locator('[data-sl=return-code-input]').fill(started.returnCode);
    await w.page.locator('[data-sl=resume]').click();
    await w.page.locator('[data-sl=composer]').waitFor({ timeout: 20_000 });
    expect(await w.page.getByText('Deze code werkt niet').count()).toBe(0);
    expect(await w.page.locator('[data-sl=return-refused]').count()).toBe(0);
  });
});
