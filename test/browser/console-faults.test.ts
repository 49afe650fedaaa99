import { randomUUID } from 'node:crypto';
import type { Message, ResumeAck, StartAck, VisitorStart } from '@stille-lijn/shared';
import type { Page } from 'playwright-core';
import { io } from 'socket.io-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app.ts';
import { createConsoleAccount, signInConsole } from '../support/browser.ts';
import { connectVisitor, emitAck, nextEvent, type VisitorSocket, waitFor } from '../support/clients.ts';
import { useConsole } from './console-harness.ts';

type Ok<T> = { ok: true } & T;
describe('console: hostile text and losing the server', () => {
  // A long grace period: only the console's reconnect, never a requeue and a new assignment,
  // may bring the operator's conversations back after the restart.
  const ui = useConsole({ env: { OPERATOR_GRACE_S: '120' } });
  let t: TestApp;
  let page: Page;
  const visitors: VisitorSocket[] = [];

  beforeEach(() => {
    t = ui.t;
  });

  afterEach(() => {
    for (const v of visitors.splice(0)) v.disconnect();
  });

  async function openPage(opts: { bypassCSP?: boolean } = {}): Promise<void> {
    page = await ui.newPage(opts);
  }

  const tab = (id: string) => page.locator(`[data-sl="conversation-tab"][data-conversation-id="${id}"]`);

  async function accept(id: string): Promise<void> {
    await page.locator(`[data-sl="queue-item"][data-conversation-id="${id}"] [data-sl="accept"]`).click();
    await tab(id).waitFor();
  }

  /** Opens the conversation's tab and returns its messages as `from: text`, in order. */
  async function transcript(id: string): Promise<string[]> {
    await tab(id).click();
    await page.locator(`[data-sl="conversation"][data-conversation-id="${id}"]`).waitFor();
    return page
      .locator(`[data-sl="conversation"][data-conversation-id="${id}"] [data-sl="message"]`)
      .evaluateAll((els) => els.map((e) => `${e.getAttribute('data-from')}: ${e.textContent}`));
  }

  /** Sends from the console's composer in the open conversation and waits for the ack. */
  async function reply(text: string): Promise<void> {
    const before = await page
      .locator('[data-sl="message"][data-from="operator"][data-status="sent"]')
      .count();
    await page.locator('[data-sl="composer"]').fill(text);
    await page.locator('[data-sl="send"]').click();
    await page.locator('[data-sl="message"][data-from="operator"][data-status="sent"]').nth(before).waitFor();
  }

  it('shows hostile visitor text as literal text: no element, no dialog, no script', async () => {
    // The console's CSP forbids inline scripts and handlers, so injected markup could not run
    // anyway. This test bypasses the CSP to prove that the rendering itself is safe.
    const csp = (await fetch(`${t.url}/console/`)).headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toContain('unsafe-');
    await openPage({ bypassCSP: true });
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(`${d.type()}: ${d.message()}`);
      void d.dismiss().catch(() => {});
    });
    // `<img src=x>` would load /console/x: no such request may be made.
    const strayRequests: string[] = [];
    page.on('request', (r) => {
      const path = new URL(r.url()).pathname;
      if (/\/(x|y)$/.test(path)) strayRequests.push(r.url());
    });
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));

    const account = await createConsoleAccount(t);
    await signInConsole(page, t.url, account);

    const opening = '<img src=x onerror=alert(1)>';
    const hostile = [
      '</script>',
      '<b>bold</b>',
      '<img src=x onerror="window.__pwned=1">',
      '<script>window.__pwned=2</script>',
      '<svg onload="window.__pwned=3"><circle r="1"/></svg>',
      '<iframe src="javascript:alert(2)"></iframe>',
      '&lt;b&gt;escaped&lt;/b&gt; &amp; "quotes" \'single\'',
      '{{constructor.constructor("window.__pwned=4")()}}',
    ];
    const visitor = await connectVisitor(t.url);
    visitors.push(visitor);
    const got: unknown[] = [];
    visitor.onAny((event: string, payload: unknown) => got.push([event, payload]));
    const start: VisitorStart = { role: 'victim', language: 'nl', text: opening };
    const ack = await emitAck<Ok<StartAck>>(visitor, 'chat:start', start);
    expect(ack.ok).toBe(true);
    const id = ack.conversationId;

    // The waiting list shows no message text, and certainly no markup from it.
    const item = page.locator(`[data-sl="queue-item"][data-conversation-id="${id}"]`);
    await item.waitFor();
    expect(await item.locator('img, svg, script, iframe, b').count()).toBe(0);
    expect(await item.textContent()).not.toContain('<img');

    await accept(id);
    for (const text of hostile) {
      const sent = await emitAck<{ ok: boolean }>(visitor, 'chat:message', {
        clientMessageId: randomUUID(),
        text,
      });
      expect(sent.ok).toBe(true);
    }
    const expected = [opening, ...hostile].map((text) => `visitor: ${text}`);
    await expect.poll(() => transcript(id), { timeout: 15_000 }).toEqual(expected);

    // The operator writes markup back: the visitor gets it verbatim, the console shows it as text.
    const operatorText = '<i>schuin</i> & <img src=y onerror=alert(3)>';
    const toVisitor = nextEvent<Message>(visitor, 'chat:message', { where: (m) => m.from === 'operator' });
    await reply(operatorText);
    expect((await toVisitor).text).toBe(operatorText);
    expect(await transcript(id)).toEqual([...expected, `operator: ${operatorText}`]);

    // A private note with markup, shown as text too.
    const noteText = '<img src=x onerror="window.__pwned=5"> notitie </textarea><b>vet</b>';
    await page.locator('[data-sl="note-input"]').fill(noteText);
    await page.locator('[data-sl="note-add"]').click();
    const note = page.locator('[data-sl="note"]');
    await note.waitFor();
    expect(await note.evaluateAll((els) => els.map((e) => e.textContent))).toEqual([noteText]);

    // The tab (the conversation list) shows no text of the messages, and no markup.
    expect(await tab(id).locator('img, svg, script, iframe, b, i').count()).toBe(0);

    // The report's excerpt picker quotes the messages: as text as well.
    await page.locator('[data-sl="report-open"]').click();
    await page.locator('[data-sl="report-excerpt"]').first().waitFor();
    const excerpts = await page
      .locator('.excerpt-list .excerpt-text')
      .evaluateAll((els) => els.map((e) => e.textContent));
    expect(excerpts).toEqual([opening, ...hostile, operatorText]);

    // Nothing became an element, nothing ran, nothing was fetched.
    const transcriptEl = page.locator(`[data-sl="conversation"][data-conversation-id="${id}"] [role="log"]`);
    expect(await transcriptEl.locator('img, svg, script, iframe, b, i').count()).toBe(0);
    expect(
      await page.evaluate(
        () =>
          document.querySelectorAll(
            'img, svg circle, iframe, [onerror], [onload], body script, .messages b, .note-list b',
          ).length,
      ),
    ).toBe(0);
    // Give an image error or an iframe a moment to fire, had one been created.
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(strayRequests).toEqual([]);
    expect(pageErrors).toEqual([]);
    // And the visitor never got the private note.
    expect(JSON.stringify(got)).not.toContain('notitie');
  });

  /**
   * A visitor that reconnects by itself and then resumes with its token, as the widget does
   * (the token is rotated by each resume; `lastMessageId` is the newest message it has).
   */
  async function reconnectingVisitor(start: VisitorStart) {
    const socket: VisitorSocket = io(`${t.url}/visitor`, {
      transports: ['websocket'],
      forceNew: true,
      reconnectionDelay: 200,
      reconnectionDelayMax: 1000,
    });
    visitors.push(socket);
    const events: [string, unknown][] = [];
    socket.onAny((event: string, payload: unknown) => events.push([event, payload]));
    const resumes: Ok<ResumeAck>[] = [];
    const state = { resumeToken: '', lastMessageId: undefined as string | undefined, connects: 0 };
    socket.on('chat:message', (m: Message) => {
      state.lastMessageId = m.messageId;
    });
    socket.on('connect', () => {
      state.connects++;
      if (state.connects === 1) return;
      const payload = state.lastMessageId
        ? { resumeToken: state.resumeToken, lastMessageId: state.lastMessageId }
        : { resumeToken: state.resumeToken };
      socket.emit('chat:resume', payload, (res: { ok: boolean }) => {
        if (!res.ok) return;
        const ok = res as Ok<ResumeAck>;
        state.resumeToken = ok.resumeToken;
        resumes.push(ok);
      });
    });
    // A refusal by a draining server is not retried by the client itself.
    socket.on('connect_error', () => {
      if (!socket.active) setTimeout(() => socket.connect(), 300);
    });
    await nextEvent(socket, 'connect');
    const ack = await emitAck<Ok<StartAck>>(socket, 'chat:start', start);
    expect(ack.ok).toBe(true);
    state.resumeToken = ack.resumeToken;
    const say = async (text: string) => {
      const res = await emitAck<Ok<{ messageId: string }>>(socket, 'chat:message', {
        clientMessageId: randomUUID(),
        text,
      });
      expect(res.ok).toBe(true);
      state.lastMessageId = res.messageId;
    };
    const fromOperator = () =>
      events
        .filter(([event, p]) => event === 'chat:message' && (p as Message).from === 'operator')
        .map(([, p]) => (p as Message).text);
    return { socket, id: ack.conversationId, events, resumes, state, say, fromOperator };
  }

  it('after a server restart, reconnects by itself with the same conversations, each message once', async () => {
    await openPage();
    const account = await createConsoleAccount(t);
    await signInConsole(page, t.url, account);
    const navigations: string[] = [];
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame()) navigations.push(f.url());
    });

    const first = await reconnectingVisitor({ role: 'victim', language: 'nl', text: 'Eén: hij is weg' });
    const second = await reconnectingVisitor({ role: 'concerned', language: 'nl', text: 'Twee: mijn zus' });
    await accept(first.id);
    await accept(second.id);

    // Several messages each way in both conversations.
    const expected: Record<string, string[]> = {
      [first.id]: ['visitor: Eén: hij is weg'],
      [second.id]: ['visitor: Twee: mijn zus'],
    };
    for (const [v, tag] of [
      [first, 'één'],
      [second, 'twee'],
    ] as const) {
      await tab(v.id).click();
      for (let i = 1; i <= 2; i++) {
        await v.say(`Bezoeker ${tag} ${i}`);
        expected[v.id]!.push(`visitor: Bezoeker ${tag} ${i}`);
        await page
          .locator('[data-sl="message"][data-from="visitor"]', { hasText: `Bezoeker ${tag} ${i}` })
          .waitFor();
        await reply(`Operator ${tag} ${i}`);
        expected[v.id]!.push(`operator: Operator ${tag} ${i}`);
      }
      await waitFor(() => v.fromOperator().length === 2, 10_000);
    }
    expect(await transcript(first.id)).toEqual(expected[first.id]);
    expect(await transcript(second.id)).toEqual(expected[second.id]);
    await page.evaluate(() => {
      (window as { __sameDocument?: boolean }).__sameDocument = true;
    });

    // The server goes down and comes back on the same address.
    const offline = page.locator('[data-sl="connection"]').waitFor({ timeout: 30_000 });
    await t.restart();
    await offline;
    await page.locator('[data-sl="connection"]').waitFor({ state: 'detached', timeout: 30_000 });

    // The visitors' sockets got back and resumed, missing nothing.
    await waitFor(() => first.resumes.length === 1 && second.resumes.length === 1, 30_000, 50);
    for (const v of [first, second]) {
      expect(v.resumes[0]).toMatchObject({ conversationId: v.id, state: 'active' });
      expect(v.resumes[0]!.missed ?? []).toEqual([]);
    }

    // The same conversations, still active, each message shown once.
    await expect
      .poll(() =>
        page
          .locator('[data-sl="conversation-tab"]')
          .evaluateAll((els) =>
            els.map((e) => `${e.getAttribute('data-conversation-id')} ${e.getAttribute('data-state')}`),
          ),
      )
      .toEqual([`${first.id} active`, `${second.id} active`]);
    // The server re-sends each conversation on reconnect: wait for that to have settled.
    await page.waitForTimeout(500);
    expect(await transcript(first.id)).toEqual(expected[first.id]);
    expect(await transcript(second.id)).toEqual(expected[second.id]);

    // Life goes on: a visitor message arrives once, an operator reply reaches the visitor.
    await tab(first.id).click();
    await first.say('Na de herstart: ben je er nog?');
    expected[first.id]!.push('visitor: Na de herstart: ben je er nog?');
    await page
      .locator('[data-sl="message"][data-from="visitor"]', { hasText: 'Na de herstart: ben je er nog?' })
      .waitFor();
    const reached = nextEvent<Message>(first.socket, 'chat:message', {
      where: (m) => m.from === 'operator' && m.text === 'Ja, ik ben er nog.',
    });
    await reply('Ja, ik ben er nog.');
    expected[first.id]!.push('operator: Ja, ik ben er nog.');
    await reached;
    await tab(second.id).click();
    await second.say('Twee na de herstart');
    expected[second.id]!.push('visitor: Twee na de herstart');
    await page
      .locator('[data-sl="message"][data-from="visitor"]', { hasText: 'Twee na de herstart' })
      .waitFor();
    const reachedSecond = nextEvent<Message>(second.socket, 'chat:message', {
      where: (m) => m.from === 'operator' && m.text === 'Fijn dat je er bent.',
    });
    await reply('Fijn dat je er bent.');
    expected[second.id]!.push('operator: Fijn dat je er bent.');
    await reachedSecond;

    await page.waitForTimeout(300);
    expect(await transcript(first.id)).toEqual(expected[first.id]);
    expect(await transcript(second.id)).toEqual(expected[second.id]);
    // Each visitor got each operator message once.
    expect(first.fromOperator()).toEqual(['Operator één 1', 'Operator één 2', 'Ja, ik ben er nog.']);
    expect(second.fromOperator()).toEqual(['Operator twee 1', 'Operator twee 2', 'Fijn dat je er bent.']);
    // No reload: the same document all along.
    expect(await page.evaluate(() => (window as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    expect(navigations).toEqual([]);
    expect(await page.locator('[data-sl="login-username"]').count()).toBe(0);
  }, 120_000);

  it('restarts promptly again and again while the console keeps reconnecting', async () => {
    // A console that reconnects over its keep-alive connection must not hold the old
    // server's close open (it did: Socket.IO's requests got no `Connection: close`).
    await openPage();
    await signInConsole(page, t.url, await createConsoleAccount(t));
    const took: number[] = [];
    for (let i = 0; i < 8; i++) {
      await page.locator('[data-sl="connection"]').waitFor({ state: 'detached', timeout: 30_000 });
      // Land at different moments of the console's reconnect.
      await page.waitForTimeout(150 * i);
      const started = Date.now();
      await t.restart();
      took.push(Date.now() - started);
    }
    await page.locator('[data-sl="connection"]').waitFor({ state: 'detached', timeout: 30_000 });
    expect(took.filter((ms) => ms > 5000)).toEqual([]);
  }, 120_000);
});
