import { randomUUID } from 'node:crypto';
import type { Message, OperatorRole, ResumeAck, StartAck, VisitorStart } from '@stille-lijn/shared';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import type { TestApp } from '../support/app.ts';
import { axeViolations, createConsoleAccount, signInConsole } from '../support/browser.ts';
import {
  collect,
  connectOperator,
  connectVisitor,
  createOperator,
  emitAck,
  nextEvent,
  type OperatorSocket,
  waitFor,
} from '../support/clients.ts';
import { startFakeVR09 } from '../support/fake-region.ts';
import { useConsole } from './console-harness.ts';

type Ok<T> = { ok: true } & T;
type Assigned = { conversation: { conversationId: string }; notes: { text: string }[] };

const TITLE = 'Stille Lijn – console';

/**
 * Issue 11 in the console, through the `data-sl` hooks: breaks and the debrief request,
 * the hand-over at the end of a shift, alerts on the operator's device, the session's
 * absolute limit, what supervisors see of the night, ended conversations after a reload,
 * and per-operator capacity.
 */
describe('console: the night shift', () => {
  let t: TestApp;
  const sockets: { disconnect(): unknown }[] = [];

  const ui = useConsole({ app: 'test', context: { viewport: { width: 1500, height: 1000 } } });

  afterEach(() => {
    for (const s of sockets.splice(0)) s.disconnect();
  });

  async function signIn(
    role: OperatorRole,
    displayName: string,
    opts: { init?: () => void } = {},
  ): Promise<{ page: Page; id: string; username: string; password: string }> {
    const account = await createConsoleAccount(t, { role, displayName });
    const context = await ui.newContext();
    if (opts.init) await context.addInitScript(opts.init);
    const page = await context.newPage();
    await signInConsole(page, t.url, account);
    return { page, id: account.id, username: account.username, password: account.password };
  }

  async function goAvailable(page: Page): Promise<void> {
    await page.locator('[data-sl="status-toggle"]').click();
    await page.locator('[data-sl="status-toggle"][data-status="available"]:not([disabled])').waitFor();
  }

  async function visitor(start: VisitorStart) {
    const socket = await connectVisitor(t.url);
    sockets.push(socket);
    const ack = await emitAck<Ok<StartAck>>(socket, 'chat:start', start);
    expect(ack.ok).toBe(true);
    return { socket, ack, id: ack.conversationId };
  }

  /** A colleague signed in over the socket, with their own capacity. */
  async function colleague(capacity: number, displayName: string) {
    const acct = await createOperator(t, { displayName });
    await t.app.operators.setAccess(acct.id, { capacity });
    const s: OperatorSocket = await connectOperator(t.url, acct.cookie);
    sockets.push(s);
    return { acct, s };
  }

  const tab = (page: Page, id: string) =>
    page.locator(`[data-sl="conversation-tab"][data-conversation-id="${id}"]`);

  async function markAcuteAndEnd(page: Page, id: string): Promise<void> {
    await tab(page, id).click();
    await page.locator('[data-sl="acute-danger"]').click();
    await page.locator('[data-sl="acute-panel"] [data-sl="sync-status"][data-sync="saved"]').waitFor();
    await page.locator('[data-sl="end"]').click();
    await page.locator('[data-sl="end-confirm"]').click();
    await page
      .locator(
        `[data-sl="ended-list"] [data-sl="conversation-tab"][data-conversation-id="${id}"][data-state="ended"]`,
      )
      .waitFor();
  }

  it('a break after acute danger: nothing assigned meanwhile, urgent waiting and the debrief request at the supervisor, the break ended early', async () => {
    t = await ui.start({ BREAK_AFTER_HIGH_RISK_MIN: '10', URGENT_ALERT_S: '1' });
    const sup = await signIn('supervisor', 'Sanne Smit');
    await sup.page.locator('[data-sl="view-supervisor"]').click();
    const op = await signIn('operator', 'Anna de Vries');
    await goAvailable(op.page);

    const first = await visitor({ role: 'victim', language: 'nl', text: 'Hij heeft een mes' });
    await tab(op.page, first.id).waitFor();
    await markAcuteAndEnd(op.page, first.id);

    // The break: its screen with its end, the switch showing it.
    const screen = op.page.locator('[data-sl="break-screen"]');
    await screen.waitFor();
    await op.page.locator('[data-sl="status-toggle"][data-status="break"]').waitFor();
    const until = await screen.locator('[data-sl="break-until"]').getAttribute('data-until');
    expect(Date.parse(until ?? '')).toBeGreaterThan(Date.now() + 8 * 60_000);
    expect(await axeViolations(op.page)).toEqual([]);

    // An urgent visitor now waits: not given to the operator on a break; at the top of the supervisor's view.
    const second = await visitor({ role: 'victim', language: 'nl', urgent: true });
    const urgent = sup.page.locator(
      `[data-sl="urgent-waiting"] [data-sl="urgent-waiting-item"][data-conversation-id="${second.id}"]`,
    );
    await urgent.waitFor();
    // URGENT_ALERT_S later the alert is in, and the wait shows.
    await sup.page
      .locator(`[data-sl="urgent-waiting-item"][data-conversation-id="${second.id}"][data-alerts="1"]`)
      .waitFor();
    expect(Number(await urgent.getAttribute('data-waited'))).toBeGreaterThanOrEqual(1);
    expect(await tab(op.page, second.id).count()).toBe(0);
    await op.page.locator(`[data-sl="queue-item"][data-conversation-id="${second.id}"]`).waitFor();

    // Per operator: one heavy conversation this shift, and on a break now.
    const row = sup.page.locator(`[data-sl="overview-operator"][data-operator-id="${op.id}"]`);
    await sup.page
      .locator(
        `[data-sl="overview-operator"][data-operator-id="${op.id}"][data-status="break"][data-high-risk="1"]`,
      )
      .waitFor();
    expect(await row.getAttribute('data-last-break')).not.toBeNull();

    // The debrief request: confirmed to the operator, an alert for the supervisor.
    await op.page.locator('[data-sl="debrief-request"]').click();
    await op.page.locator('[data-sl="debrief-sent"]').waitFor();
    const alert = sup.page.locator('[data-sl="alert-bar"] [data-sl="alert"][data-kind="debrief-request"]');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('Anna de Vries');
    await sup.page.locator('[data-sl="alerts"] li[data-kind="debrief-request"]').waitFor();
    expect(await axeViolations(sup.page)).toEqual([]);

    // Ended early: available again, and the waiting visitor comes at once.
    await op.page.locator('[data-sl="break-end"]').click();
    await op.page.locator('[data-sl="status-toggle"][data-status="available"]').waitFor();
    await screen.waitFor({ state: 'detached' });
    await op.page
      .locator(`[data-sl="conversation-tab"][data-conversation-id="${second.id}"][data-state="active"]`)
      .waitFor();
    await urgent.waitFor({ state: 'detached' });
    // The ended one stays listed below.
    expect(await op.page.locator('[data-sl="ended-list"] [data-sl="conversation-tab"]').count()).toBe(1);
  });

  it('ends a shift: sign-out asks first, a full colleague refuses and nothing moves, then every conversation goes with the note', async () => {
    t = await ui.start();
    const op = await signIn('operator', 'Anna de Vries');
    await goAvailable(op.page);
    const visitors = [
      await visitor({ role: 'victim', language: 'nl' }),
      await visitor({ role: 'concerned', language: 'en' }),
    ];
    for (const v of visitors) await tab(op.page, v.id).waitFor();
    const full = await colleague(1, 'Piet Vol');
    const room = await colleague(5, 'Ruth Ruimte');

    // Signing out with active conversations asks first, and offers the hand-over.
    await op.page.locator('[data-sl="logout"]').click();
    await op.page.locator('[data-sl="logout-dialog"]').waitFor();
    await op.page.locator('[data-sl="logout-handover"]').click();
    const dialog = op.page.locator('[data-sl="handover-dialog"]');
    await dialog.waitFor();
    const fullChoice = dialog.locator(`[data-sl="handover-colleague"][data-operator-id="${full.acct.id}"]`);
    const roomChoice = dialog.locator(`[data-sl="handover-colleague"][data-operator-id="${room.acct.id}"]`);
    await roomChoice.waitFor();
    expect(await fullChoice.getAttribute('data-free')).toBe('1');
    expect(await roomChoice.getAttribute('data-free')).toBe('5');
    const note = `Overdracht ${randomUUID().slice(0, 6)}: belt morgen om 9 uur terug.`;
    await dialog.locator('[data-sl="handover-note"]').fill(note);
    await fullChoice.check();
    expect(await axeViolations(op.page)).toEqual([]);

    await dialog.locator('[data-sl="handover-confirm"]').click();
    await dialog.locator('[data-sl="handover-error"][data-failure="full"]').waitFor();
    for (const v of visitors) expect((await t.app.store.read(v.id))?.operatorId).toBe(op.id);
    expect(await op.page.locator('[data-sl="conversation-tab"][data-state="active"]').count()).toBe(2);

    const told = visitors.map((v) =>
      nextEvent<Message>(v.socket, 'chat:message', { where: (m) => m.from === 'system' }),
    );
    const toRoom = collect<Assigned>(room.s, 'chat:assigned');
    await roomChoice.check();
    await dialog.locator('[data-sl="handover-confirm"]').click();
    await dialog.locator('[data-sl="handover-done"][data-moved="2"]').waitFor();
    const [nl, en] = await Promise.all(told);
    expect(nl?.text).toMatch(/collega/i);
    expect(en?.text).toMatch(/colleague/i);
    await waitFor(() => toRoom.length === 2);
    for (const got of toRoom) expect(got.notes.map((n) => n.text)).toContain(note);
    for (const v of visitors) expect((await t.app.store.read(v.id))?.operatorId).toBe(room.acct.id);
    await op.page.locator('[data-sl="status-toggle"][data-status="away"]').waitFor();
    await op.page.locator('[data-sl="conversation-tab"]').first().waitFor({ state: 'detached' });

    // Nothing left to hand over: signing out goes straight on.
    await dialog.locator('button[type="submit"]').click();
    await op.page.locator('[data-sl="logout"]').click();
    await op.page.locator('[data-sl="login-username"]').waitFor();
  });

  it('counts waiting and unread in the tab title; notifications, once allowed, say what happened and never what was written; the tone is opt-in', async () => {
    t = await ui.start();
    const op = await signIn('operator', 'Anna de Vries', {
      init: () => {
        const shown: { title: string; body: string | undefined }[] = [];
        (window as unknown as { __notifications: typeof shown }).__notifications = shown;
        class RecordingNotification {
          static permission: NotificationPermission = 'default';
          static async requestPermission(): Promise<NotificationPermission> {
            RecordingNotification.permission = 'granted';
            return 'granted';
          }
          constructor(title: string, options?: NotificationOptions) {
            shown.push({ title, body: options?.body });
          }
          close() {}
        }
        Object.defineProperty(window, 'Notification', { value: RecordingNotification, configurable: true });
        // The operator is looking at another window.
        document.hasFocus = () => false;
      },
    });
    const page = op.page;
    const title = (expected: string) =>
      page.waitForFunction((want) => document.title === want, expected, { timeout: 10_000 });
    await title(TITLE);
    // No permission is asked for on load.
    expect(await page.evaluate(() => Notification.permission)).toBe('default');

    const secrets = ['Hij slaat me GEHEIM-1', 'GEHEIM-2 ik ben bang', 'GEHEIM-3 hij komt eraan'];
    const one = await visitor({ role: 'victim', language: 'nl', text: secrets[0] });
    await title(`(1) ${TITLE}`);
    const two = await visitor({ role: 'victim', language: 'nl' });
    await title(`(2) ${TITLE}`);

    await page.locator('[data-sl="notify-enable"]').click();
    await page.locator('[data-sl="notify-on"]').waitFor();

    await page.locator(`[data-sl="queue-item"][data-conversation-id="${one.id}"] [data-sl="accept"]`).click();
    await tab(page, one.id).waitFor();
    await title(`(1) ${TITLE}`);
    await page.locator(`[data-sl="queue-item"][data-conversation-id="${two.id}"] [data-sl="accept"]`).click();
    await tab(page, two.id).waitFor();
    await title(TITLE);

    // A message in the conversation that is not open counts as unread.
    await emitAck(one.socket, 'chat:message', { clientMessageId: randomUUID(), text: secrets[1] });
    await title(`(1) ${TITLE}`);
    await visitor({ role: 'victim', language: 'nl', urgent: true, text: secrets[2] });
    await title(`(2) ${TITLE}`);

    // The first visitor leaves by quick exit and comes back with the return code.
    await emitAck(one.socket, 'chat:leave', { reason: 'quick-exit' });
    await tab(page, one.id).locator('[data-sl="visitor-left"]').waitFor();
    one.socket.disconnect();
    const back = await connectVisitor(t.url);
    sockets.push(back);
    expect((await emitAck<Ok<ResumeAck>>(back, 'chat:resume', { returnCode: one.ack.returnCode })).ok).toBe(
      true,
    );
    await tab(page, one.id).locator('[data-sl="visitor-returned"]').waitFor();

    const notifications = () =>
      page.evaluate(
        () => (window as unknown as { __notifications: { title: string; body: string }[] }).__notifications,
      );
    await waitFor(async () =>
      (await notifications()).some((n) => n.body === 'Een bezoeker is teruggekomen.'),
    );
    const shown = await notifications();
    const bodies = shown.map((n) => n.body);
    expect(bodies).toContain('Er is een gesprek aan je toegewezen.');
    expect(bodies).toContain('Er wacht een urgent gesprek.');
    expect(bodies).toContain('Een bezoeker is teruggekomen.');
    for (const n of shown) expect(n.title).toBe('Stille Lijn');
    const everything = JSON.stringify(shown);
    for (const secret of secrets) expect(everything).not.toContain(secret);
    expect(everything).not.toMatch(/GEHEIM|bang|slaat/);

    // The tone is off until chosen; the choice is kept on this device only while it is on.
    const sound = page.locator('[data-sl="sound-toggle"]');
    expect(await sound.isChecked()).toBe(false);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    await sound.check();
    expect(await page.evaluate(() => localStorage.getItem('stille-lijn.console.sound'))).toBe('on');
    await sound.uncheck();
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
  });

  it('warns ahead of the session limit and signs in again in place, the conversation kept', async () => {
    // 0.008 h = 28.8 s: the warning (15 minutes ahead) comes at once.
    t = await ui.start({ SESSION_MAX_HOURS: '0.008', OPERATOR_GRACE_S: '60' });
    const op = await signIn('operator', 'Anna de Vries');
    const page = op.page;
    const warning = page.locator('[data-sl="session-expiring"]');
    await warning.waitFor();
    const firstEnd = Date.parse((await warning.getAttribute('data-at')) ?? '');
    expect(firstEnd).toBeGreaterThan(Date.now());
    expect(firstEnd).toBeLessThanOrEqual(Date.now() + 28_800);
    await goAvailable(page);
    const v = await visitor({ role: 'victim', language: 'nl', text: 'Ben je er nog?' });
    await tab(page, v.id).waitFor();
    expect(await axeViolations(page)).toEqual([]);

    await page.locator('[data-sl="session-renew"]').click();
    await page.locator('[data-sl="renew-username"]').fill(op.username);
    await page.locator('[data-sl="renew-password"]').fill(op.password);
    // The sign-in ends the old session (its socket hears session:ended): the workspace
    // expects that, and moves to the new session on one new connection, not two.
    let connections = 0;
    page.on('websocket', (ws) => {
      if (ws.url().includes('/socket.io/')) connections += 1;
    });
    await page.locator('[data-sl="renew-submit"]').click();
    await page.locator('[data-sl="session-renewed"]').waitFor();
    // The new session has its own limit (here also within 15 minutes, so warned again).
    await waitFor(async () => Date.parse((await warning.getAttribute('data-at')) ?? '') > firstEnd, 10_000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(connections).toBe(1);

    // Past the first session's end: still signed in, the conversation still here and working.
    await new Promise((r) => setTimeout(r, Math.max(0, firstEnd - Date.now()) + 1500));
    expect(await page.locator('[data-sl="login-username"]').count()).toBe(0);
    expect(await tab(page, v.id).getAttribute('data-state')).toBe('active');
    const toVisitor = nextEvent<Message>(v.socket, 'chat:message', { where: (m) => m.from === 'operator' });
    await page.locator('[data-sl="composer"]').fill('Ja, ik ben er nog.');
    await page.locator('[data-sl="send"]').click();
    expect((await toVisitor).text).toBe('Ja, ik ben er nog.');
  });

  it('keeps ended conversations across a reload; the report starts there and a failed delivery is retried', async () => {
    const vr09 = await startFakeVR09();
    const { region } = vr09;
    // After every afterEach, the console's too: the region outlives the app.
    onTestFinished(() => vr09.close());
    t = await ui.start({
      VT_REGIONS_FILE: vr09.regionsFile,
      REPORT_BACKOFF_MS: '20',
      REPORT_MAX_ATTEMPTS: '1',
      BREAK_AFTER_HIGH_RISK_MIN: '0',
    });
    const op = await signIn('operator', 'Anna de Vries');
    const page = op.page;
    await goAvailable(page);
    const v = await visitor({ role: 'victim', language: 'nl', text: 'Hij heeft een mes' });
    await tab(page, v.id).waitFor();
    await markAcuteAndEnd(page, v.id);

    await page.reload();
    await page.locator('[data-sl="status-toggle"]:not([disabled])').waitFor();
    const ended = page.locator(
      `[data-sl="ended-list"] [data-sl="conversation-tab"][data-conversation-id="${v.id}"][data-state="ended"]`,
    );
    await ended.waitFor();
    await ended.click();
    await page
      .locator('[data-sl="message"][data-from="visitor"]', { hasText: 'Hij heeft een mes' })
      .waitFor();
    expect(await axeViolations(page)).toEqual([]);

    await page.locator('[data-sl="report-open"]').click();
    const panel = page.locator(`[data-sl="report-panel"][data-conversation-id="${v.id}"]`);
    await panel.locator('[data-sl="report-consent-not-asked"]').check();
    expect(await panel.locator('[data-sl="report-consent-reason"]').inputValue()).toBe('acute-danger');
    await panel.locator('[data-sl="report-contact-none"]').check();
    await panel.locator('[data-sl="report-region"]').selectOption('VR09');
    await panel.locator('[data-sl="report-summary"]').fill('Acuut: partner met mes, na het gesprek gemeld.');

    region.failNext(1, 503);
    const created = page.waitForResponse((r) => r.url().endsWith(`/api/conversations/${v.id}/reports`));
    await panel.locator('[data-sl="report-submit"]').click();
    const { reportId } = (await (await created).json()) as { reportId: string };
    const status = (s: string) =>
      panel.locator(`[data-sl="report-status"][data-report-id="${reportId}"][data-status="${s}"]`);
    await status('failed').waitFor();
    await panel.locator('[data-sl="report-retry"]').click();
    await status('delivered').waitFor();
    await waitFor(() => region.inbox.received.has(reportId));
  });

  it('marks a Polish visitor nobody on shift speaks as a language fallback in the queue, then she is answered', async () => {
    t = await ui.start({ LANGUAGE_FALLBACK_S: '1' });
    const op = await signIn('operator', 'Anna de Vries');
    const v = await visitor({ role: 'victim', language: 'pl', text: 'Pomocy' });
    const item = op.page.locator(
      `[data-sl="queue-item"][data-conversation-id="${v.id}"][data-language-fallback="true"]`,
    );
    await item.waitFor();
    await item.locator('[data-sl="accept"]').click();
    await op.page
      .locator(`[data-sl="conversation-tab"][data-conversation-id="${v.id}"][data-state="active"]`)
      .waitFor();
  });

  it('lets an admin set an operator’s own capacity', async () => {
    t = await ui.start();
    const account = await t.app.operators.create({
      username: `cap${randomUUID().slice(0, 6)}`,
      password: `pw-${randomUUID()}`,
      role: 'operator',
      displayName: 'Cas Capaciteit',
    });
    const admin = await signIn('admin', 'Ada Admin');
    const page = admin.page;
    await page.locator('[data-sl="view-admin"]').click();
    await page
      .locator(`[data-sl="account-row"][data-operator-id="${account.id}"] [data-sl="account-edit"]`)
      .click();
    const form = page.locator('[data-sl="account-edit-form"]');
    const capacity = form.locator('[data-sl="account-capacity"]');
    expect(await capacity.inputValue()).toBe('');
    await capacity.fill('0');
    await form.locator('[data-sl="account-save"]').click();
    await form.locator('[data-sl="field-error"][data-field="capacity"]').waitFor();
    expect((await t.app.operators.get(account.id))?.capacity).toBeUndefined();
    await capacity.fill('2');
    expect(await axeViolations(page)).toEqual([]);
    await form.locator('[data-sl="account-save"]').click();
    await form.waitFor({ state: 'detached' });
    expect((await t.app.operators.get(account.id))?.capacity).toBe(2);
  });
});
