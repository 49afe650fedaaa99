import { randomUUID } from 'node:crypto';
import type { Message, StartAck } from '@stille-lijn/shared';
import type { Page } from 'playwright-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateTotpSecret, TOTP_PERIOD_S, totpCodeAt } from '../../server/src/auth/totp.ts';
import type { TestApp } from '../support/app.ts';
import { axeViolations, type ConsoleAccount, createConsoleAccount } from '../support/browser.ts';
import { connectVisitor, emitAck, nextEvent, type VisitorSocket, waitFor } from '../support/clients.ts';
import { useConsole } from './console-harness.ts';

type Ok<T> = { ok: true } & T;

const TITLE = 'Stille Lijn – console';
/** `SESSION_IDLE_MIN` of these tests: the console locks after 6 s without input. */
const IDLE_MIN = '0.1';

/**
 * A console left open at a shared desk: after `SESSION_IDLE_MIN` without input (or at once,
 * with "Vergrendel") nothing of any conversation is left in the page, the tab title still
 * counts what comes in, and only a sign-in with the password (and TOTP) brings the same
 * workspace back. The socket and the conversations stay the operator's meanwhile.
 */
describe('console: the screen lock', () => {
  // A long grace: the conversation may only come back through the console, never a requeue.
  const ui = useConsole({ env: { SESSION_IDLE_MIN: IDLE_MIN, OPERATOR_GRACE_S: '120' } });
  let t: TestApp;
  const visitors: VisitorSocket[] = [];

  beforeEach(() => {
    t = ui.t;
  });

  afterEach(() => {
    for (const v of visitors.splice(0)) v.disconnect();
  });

  async function startVisitor(text: string) {
    const socket = await connectVisitor(t.url);
    visitors.push(socket);
    const ack = await emitAck<Ok<StartAck>>(socket, 'chat:start', { role: 'victim', language: 'nl', text });
    expect(ack.ok).toBe(true);
    return { socket, id: ack.conversationId };
  }

  async function visitorSays(socket: VisitorSocket, text: string): Promise<void> {
    const ack = await emitAck<{ ok: boolean }>(socket, 'chat:message', {
      clientMessageId: randomUUID(),
      text,
    });
    expect(ack.ok).toBe(true);
  }

  const tab = (page: Page, id: string) =>
    page.locator(`[data-sl="conversation-tab"][data-conversation-id="${id}"]`);

  /** Signs in (with a TOTP code when given) and accepts the visitor's conversation. */
  async function signInAndAccept(account: ConsoleAccount, id: string, totp?: string): Promise<Page> {
    const page = await ui.newPage();
    await page.goto(`${t.url}/console/`);
    await page.locator('[data-sl="login-username"]').fill(account.username);
    await page.locator('[data-sl="login-password"]').fill(account.password);
    if (totp !== undefined) await page.locator('[data-sl="login-totp"]').fill(totp);
    await page.locator('[data-sl="login-submit"]').click();
    await page.locator('[data-sl="status-toggle"]:not([disabled])').waitFor();
    await page.locator(`[data-sl="queue-item"][data-conversation-id="${id}"] [data-sl="accept"]`).click();
    await tab(page, id).waitFor();
    return page;
  }

  async function unlock(page: Page, username: string, password: string, totp?: string): Promise<void> {
    await page.locator('[data-sl="unlock-username"]').fill(username);
    await page.locator('[data-sl="unlock-password"]').fill(password);
    if (totp !== undefined) await page.locator('[data-sl="unlock-totp"]').fill(totp);
    await page.locator('[data-sl="unlock-submit"]').click();
  }

  /** Nothing of the conversation in the page: no text, no tab, no queue, no notes. */
  async function expectNoContent(page: Page, ...texts: string[]): Promise<void> {
    const html = await page.content();
    for (const text of texts) expect(html).not.toContain(text);
    for (const hook of ['conversation-tab', 'message', 'queue-item', 'composer', 'note-input', 'announcer'])
      expect(await page.locator(`[data-sl="${hook}"]`).count(), hook).toBe(0);
  }

  it('locks after SESSION_IDLE_MIN without input; the title still counts; a wrong password keeps it locked; the right one brings the same conversation back', async () => {
    const account = await createConsoleAccount(t);
    const first = `Hij is thuis ${randomUUID().slice(0, 8)}`;
    const visitor = await startVisitor(first);
    const page = await signInAndAccept(account, visitor.id);
    await page.locator('[data-sl="message"][data-from="visitor"]', { hasText: first }).waitFor();
    const draft = `Concept ${randomUUID().slice(0, 8)}`;
    await page.locator('[data-sl="composer"]').fill(draft);
    expect(await page.title()).toBe(TITLE);

    // No input for SESSION_IDLE_MIN: locked, with the focus in the form.
    const lock = page.locator('[data-sl="lock-screen"]');
    // Three times SESSION_IDLE_MIN at most; what is in the page then is what the next person sees.
    await lock.waitFor({ timeout: 18_000 }).catch(() => {});
    await expectNoContent(page, first, draft);
    expect(await lock.count()).toBe(1);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-sl'))).toBe(
      'unlock-username',
    );
    expect(await axeViolations(page)).toEqual([]);

    // A new message: counted in the title, its text nowhere in the page.
    const second = `Hij komt eraan ${randomUUID().slice(0, 8)}`;
    await visitorSays(visitor.socket, second);
    await waitFor(async () => (await page.title()) === `(1) ${TITLE}`, 10_000);
    await expectNoContent(page, first, second, draft);

    // Someone without the password: still locked, and told so.
    await unlock(page, account.username, 'not-the-password');
    await page.locator('[data-sl="unlock-error"]').waitFor();
    expect(await lock.count()).toBe(1);
    await expectNoContent(page, first, second, draft);

    // The operator: the same conversation, with both messages and the draft, and it works.
    await unlock(page, account.username, account.password);
    await lock.waitFor({ state: 'detached' });
    await tab(page, visitor.id).waitFor();
    expect(await tab(page, visitor.id).getAttribute('data-state')).toBe('active');
    await page.locator('[data-sl="message"][data-from="visitor"]', { hasText: first }).waitFor();
    await page.locator('[data-sl="message"][data-from="visitor"]', { hasText: second }).waitFor();
    expect(await page.locator('[data-sl="composer"]').inputValue()).toBe(draft);
    await waitFor(async () => (await page.title()) === TITLE);
    const toVisitor = nextEvent<Message>(visitor.socket, 'chat:message', {
      where: (m) => m.from === 'operator',
    });
    await page.locator('[data-sl="composer"]').fill('Ik ben er nog.');
    await page.locator('[data-sl="send"]').click();
    expect((await toVisitor).text).toBe('Ik ben er nog.');
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
  }, 90_000);

  it('"Vergrendel" locks at once, by keyboard; a reload or a new tab stays locked; unlocking by keyboard', async () => {
    const account = await createConsoleAccount(t);
    const first = `Ik durf niet ${randomUUID().slice(0, 8)}`;
    const visitor = await startVisitor(first);
    const page = await signInAndAccept(account, visitor.id);
    await page.locator('[data-sl="message"]', { hasText: first }).waitFor();

    const lockButton = page.locator('[data-sl="lock"]');
    expect(await lockButton.textContent()).toBe('Vergrendel');
    await lockButton.focus();
    await page.keyboard.press('Enter');
    await page.locator('[data-sl="lock-screen"]').waitFor({ timeout: 2000 });
    await expectNoContent(page, first);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-sl'))).toBe(
      'unlock-username',
    );

    // The next person at the desk reloads, or opens the console in a new tab.
    await page.reload();
    await page.locator('[data-sl="lock-screen"]').waitFor();
    await waitFor(async () => (await page.title()) === `(1) ${TITLE}`, 10_000);
    await expectNoContent(page, first);
    const other = await page.context().newPage();
    await other.goto(`${t.url}/console/`);
    await other.locator('[data-sl="lock-screen"]').waitFor();
    await expectNoContent(other, first);
    await other.close();

    // Keyboard only: the focus starts in the username field.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-sl'))).toBe(
      'unlock-username',
    );
    await page.keyboard.type(account.username);
    await page.keyboard.press('Tab');
    await page.keyboard.type(account.password);
    await page.keyboard.press('Enter');
    await page.locator('[data-sl="lock-screen"]').waitFor({ state: 'detached' });
    await page.locator('[data-sl="message"]', { hasText: first }).waitFor();
    expect(await tab(page, visitor.id).getAttribute('data-state')).toBe('active');
  }, 90_000);

  it('an available operator is away while locked, and available again after the unlock, across a reload too', async () => {
    const account = await createConsoleAccount(t);
    const page = await ui.signedIn(account);
    const toggle = page.locator('[data-sl="status-toggle"]');
    const serverStatus = async () => (await t.app.roster.status(account.id)).status;
    await toggle.click();
    await page.locator('[data-sl="status-toggle"][data-status="available"]:not([disabled])').waitFor();

    // Nobody at the desk: no victim may be routed to it.
    await page.locator('[data-sl="lock"]').click();
    await page.locator('[data-sl="lock-screen"]').waitFor();
    await waitFor(async () => (await serverStatus()) === 'away');
    await unlock(page, account.username, account.password);
    await page.locator('[data-sl="lock-screen"]').waitFor({ state: 'detached' });
    await page.locator('[data-sl="status-toggle"][data-status="available"]').waitFor({ timeout: 5000 });
    await waitFor(async () => (await serverStatus()) === 'available');

    // The same with a reload while locked: the new page knows the lock set her away.
    await page.locator('[data-sl="lock"]').click();
    await page.locator('[data-sl="lock-screen"]').waitFor();
    await waitFor(async () => (await serverStatus()) === 'away');
    await page.reload();
    await page.locator('[data-sl="lock-screen"]').waitFor();
    await unlock(page, account.username, account.password);
    await page.locator('[data-sl="lock-screen"]').waitFor({ state: 'detached' });
    await page.locator('[data-sl="status-toggle"][data-status="available"]').waitFor({ timeout: 5000 });
    expect(await toggle.getAttribute('aria-checked')).toBe('true');
    await waitFor(async () => (await serverStatus()) === 'available');
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
  }, 90_000);

  it("another operator's mark of the lock makes nobody available", async () => {
    const anna = await createConsoleAccount(t, { displayName: 'Anna de Vries' });
    const bram = await createConsoleAccount(t, { displayName: 'Bram Jansen' });
    const page = await ui.signedIn(bram);
    // Bram, away of his own accord, finds the console locked with Anna's mark beside it.
    await page.evaluate((id) => {
      localStorage.setItem('stille-lijn.console.locked', '1');
      localStorage.setItem('stille-lijn.console.away-for-lock', id);
    }, anna.id);
    await page.reload();
    await page.locator('[data-sl="lock-screen"]').waitFor();
    await unlock(page, bram.username, bram.password);
    await page.locator('[data-sl="lock-screen"]').waitFor({ state: 'detached' });
    await page.locator('[data-sl="status-toggle"]:not([disabled])').waitFor();
    // Give a wrong status change time to arrive: none may.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await page.locator('[data-sl="status-toggle"]').getAttribute('data-status')).toBe('away');
    expect((await t.app.roster.status(bram.id)).status).toBe('away');
    expect((await t.app.roster.status(anna.id)).status).toBe('away');
  }, 90_000);

  it('input in another console tab of this browser keeps both open; a lock in one locks both, and unlocking one unlocks both', async () => {
    const account = await createConsoleAccount(t);
    const first = `Niet bellen ${randomUUID().slice(0, 8)}`;
    const visitor = await startVisitor(first);
    const page = await signInAndAccept(account, visitor.id);
    const other = await page.context().newPage();
    await other.goto(`${t.url}/console/`);
    await tab(other, visitor.id).waitFor();
    // Twice SESSION_IDLE_MIN of work in the other tab only.
    for (const end = Date.now() + 12_000; Date.now() < end; ) {
      await other.mouse.move(100 + Math.random() * 400, 100 + Math.random() * 400);
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(await page.locator('[data-sl="lock-screen"]').count()).toBe(0);
    expect(await other.locator('[data-sl="lock-screen"]').count()).toBe(0);

    await other.locator('[data-sl="lock"]').click();
    await page.locator('[data-sl="lock-screen"]').waitFor({ timeout: 2000 });
    await expectNoContent(page, first);
    await expectNoContent(other, first);

    // Her password in one tab opens both: a tab left locked would open on F5 anyway (the
    // flag that keeps a reload locked is one for the browser).
    await other.locator('[data-sl="unlock-username"]').fill(account.username);
    await other.locator('[data-sl="unlock-password"]').fill(account.password);
    await other.locator('[data-sl="unlock-submit"]').click();
    await other.locator('[data-sl="lock-screen"]').waitFor({ state: 'detached' });
    await page.locator('[data-sl="lock-screen"]').waitFor({ state: 'detached', timeout: 2000 });
    await page.locator('[data-sl="message"]', { hasText: first }).waitFor();
  }, 90_000);

  it('another account signing in on the lock screen sees its own workspace, nothing of the previous one, whose other tab is signed out', async () => {
    const anna = await createConsoleAccount(t, { displayName: 'Anna de Vries' });
    const bram = await createConsoleAccount(t, { displayName: 'Bram Jansen' });
    const first = `Mijn adres is ${randomUUID().slice(0, 8)}`;
    const visitor = await startVisitor(first);
    const page = await signInAndAccept(anna, visitor.id);
    await page.locator('[data-sl="message"]', { hasText: first }).waitFor();
    // Her second tab, left open behind the first.
    const second = await page.context().newPage();
    await second.goto(`${t.url}/console/`);
    await second.locator('[data-sl="message"]', { hasText: first }).waitFor();
    await page.locator('[data-sl="lock"]').click();
    await page.locator('[data-sl="lock-screen"]').waitFor();
    await second.locator('[data-sl="lock-screen"]').waitFor();

    await unlock(page, bram.username, bram.password);
    await page.locator('[data-sl="lock-screen"]').waitFor({ state: 'detached' });
    await page.locator('[data-sl="status-toggle"]:not([disabled])').waitFor();
    expect(await page.locator('.who').textContent()).toContain('Bram Jansen');
    // Give a stray event of Anna's workspace time to arrive: none may show.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await page.content()).not.toContain(first);
    expect(await tab(page, visitor.id).count()).toBe(0);
    expect(await page.locator('[data-sl="message"]').count()).toBe(0);
    expect(await page.locator('.who').textContent()).not.toContain('Anna');
    // Her session ended with that sign-in: the other tab no longer holds her socket (her
    // conversations go back through the disconnect grace), and asks for a sign-in.
    await second.locator('[data-sl="login-username"]').waitFor({ timeout: 5000 });
    await expectNoContent(second, first);
  }, 90_000);

  it('while locked, opt-in notifications still say what happened, never what was written, though the console is in front', async () => {
    const account = await createConsoleAccount(t);
    const context = await ui.newContext();
    await context.addInitScript(() => {
      const shown: (string | undefined)[] = [];
      (window as unknown as { __notifications: typeof shown }).__notifications = shown;
      class RecordingNotification {
        static permission: NotificationPermission = 'default';
        static async requestPermission(): Promise<NotificationPermission> {
          RecordingNotification.permission = 'granted';
          return 'granted';
        }
        constructor(_title: string, options?: NotificationOptions) {
          shown.push(options?.body);
        }
        close() {}
      }
      Object.defineProperty(window, 'Notification', { value: RecordingNotification, configurable: true });
      // The locked console is the window in front: nobody reads it all the same.
      document.hasFocus = () => true;
    });
    const page = await context.newPage();
    await page.goto(`${t.url}/console/`);
    await page.locator('[data-sl="login-username"]').fill(account.username);
    await page.locator('[data-sl="login-password"]').fill(account.password);
    await page.locator('[data-sl="login-submit"]').click();
    await page.locator('[data-sl="notify-enable"]').click();
    await page.locator('[data-sl="notify-on"]').waitFor();
    await page.locator('[data-sl="lock"]').click();
    await page.locator('[data-sl="lock-screen"]').waitFor();

    const secret = `Hij heeft een mes ${randomUUID().slice(0, 8)}`;
    const socket = await connectVisitor(t.url);
    visitors.push(socket);
    await emitAck(socket, 'chat:start', { role: 'victim', language: 'nl', urgent: true, text: secret });
    await waitFor(async () => (await page.title()) === `(1) ${TITLE}`, 10_000);
    const shown = () =>
      page.evaluate(() => (window as unknown as { __notifications: string[] }).__notifications);
    await waitFor(async () => (await shown()).includes('Er wacht een urgent gesprek.'), 10_000);
    expect(JSON.stringify(await shown())).not.toContain(secret);
    expect(await page.locator('[data-sl="lock-pending"]').textContent()).toBe('Er wacht 1 nieuwe melding.');
    await expectNoContent(page, secret);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'English' }).click();
    await page.locator('html[lang="en"]').waitFor({ state: 'attached' });
    expect(await page.locator('[data-sl="lock-pending"]').textContent()).toBe('1 new item is waiting.');
    expect(await axeViolations(page)).toEqual([]);
  }, 90_000);

  it('asks for the TOTP code of an account that has one', async () => {
    const account = await createConsoleAccount(t);
    const secret = generateTotpSecret();
    await t.app.operators.setTotpSecret(account.id, secret);
    const first = `Help ${randomUUID().slice(0, 8)}`;
    const visitor = await startVisitor(first);
    const page = await signInAndAccept(account, visitor.id, totpCodeAt(secret, Date.now()));
    await page.locator('[data-sl="lock"]').click();
    await page.locator('[data-sl="lock-screen"]').waitFor();

    await unlock(page, account.username, account.password);
    await page.locator('[data-sl="unlock-error"]').waitFor();
    expect(await page.locator('[data-sl="lock-screen"]').count()).toBe(1);
    await expectNoContent(page, first);

    // The next period's code: the one used at sign-in cannot be used twice.
    await unlock(
      page,
      account.username,
      account.password,
      totpCodeAt(secret, Date.now() + TOTP_PERIOD_S * 1000),
    );
    await page.locator('[data-sl="lock-screen"]').waitFor({ state: 'detached' });
    await page.locator('[data-sl="message"]', { hasText: first }).waitFor();
  }, 90_000);
});
