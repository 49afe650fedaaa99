import { randomUUID } from 'node:crypto';
import type { Message, StartAck, VisitorStart } from '@stille-lijn/shared';
import type { Page } from 'playwright-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app.ts';
import {
  axeViolations,
  createConsoleAccount,
  signInConsole,
  useConsoleWithLines,
} from '../support/browser.ts';
import {
  connectOperator,
  connectVisitor,
  createOperator,
  emitAck,
  login,
  nextEvent,
  type OperatorSocket,
  type VisitorSocket,
} from '../support/clients.ts';
import { auditEntries } from '../support/per-test.ts';
import { useConsole } from './console-harness.ts';

type Ok<T> = { ok: true } & T;
describe('console: supervisor view and roles', () => {
  const ui = useConsole();
  let t: TestApp;
  const sockets: (VisitorSocket | OperatorSocket)[] = [];

  beforeEach(() => {
    t = ui.t;
  });

  afterEach(() => {
    for (const s of sockets.splice(0)) s.disconnect();
  });

  const newPage = () => ui.newPage();

  async function startVisitor(start: VisitorStart) {
    const socket = await connectVisitor(t.url);
    sockets.push(socket);
    const ack = await emitAck<Ok<StartAck>>(socket, 'chat:start', start);
    expect(ack.ok).toBe(true);
    return { socket, id: ack.conversationId };
  }

  it('shows the figures move, reads along (audited, shown to the operator), alerts on acute danger, reassigns', async () => {
    const supervisor = await createConsoleAccount(t, { role: 'supervisor', displayName: 'Sanne Smit' });
    const operator = await createConsoleAccount(t, { role: 'operator', displayName: 'Anna de Vries' });
    const sup = await newPage();
    const op = await newPage();
    await signInConsole(sup, t.url, supervisor);
    await signInConsole(op, t.url, operator);

    await sup.locator('[data-sl="view-supervisor"]').click();
    const stat = (name: string, value: number) =>
      sup.locator(`[data-sl="stats"] > [data-stat="${name}"][data-value="${value}"]`);
    await stat('waiting', 0).waitFor();
    await stat('active', 0).waitFor();
    expect(await axeViolations(sup)).toEqual([]);

    // A visitor arrives: the waiting figure moves without a reload.
    const visitor = await startVisitor({
      role: 'victim',
      language: 'nl',
      text: 'Hij is thuis, ik durf niet te bellen',
    });
    const id = visitor.id;
    await stat('waiting', 1).waitFor();

    // The operator accepts: waiting goes down, active and answered up; the overview names the operator.
    await op.locator(`[data-sl="queue-item"][data-conversation-id="${id}"] [data-sl="accept"]`).click();
    await op.locator(`[data-sl="conversation-tab"][data-conversation-id="${id}"]`).waitFor();
    await stat('waiting', 0).waitFor();
    await stat('active', 1).waitFor();
    await stat('answeredToday', 1).waitFor();

    // The figures cannot be fetched: the panel says so and keeps the last figures beside it.
    const statsPanel = sup.locator('section.stats');
    await sup.route('**/api/stats', (route) => route.fulfill({ status: 503, body: '' }));
    await statsPanel.getByRole('button', { name: 'Vernieuwen' }).click();
    await statsPanel.locator('.error', { hasText: 'De cijfers ophalen is niet gelukt.' }).waitFor();
    expect(await stat('active', 1).count()).toBe(1);
    await sup.unroute('**/api/stats');
    await statsPanel.getByRole('button', { name: 'Vernieuwen' }).click();
    await statsPanel.locator('.error').waitFor({ state: 'detached' });

    const row = sup.locator(`[data-sl="overview-conversation"][data-conversation-id="${id}"]`);
    await row.locator('[data-sl="overview-holder"]', { hasText: 'Anna de Vries' }).waitFor();
    await sup
      .locator(`[data-sl="overview-operator"][data-operator-id="${operator.id}"][data-load="1"]`)
      .waitFor();

    // Reading along: the conversation so far, no way to write, the look audited, the operator told.
    await row.locator('[data-sl="monitor"]').click();
    const panel = sup.locator(`[data-sl="monitor-panel"][data-conversation-id="${id}"][data-status="ready"]`);
    await panel.waitFor();
    await panel
      .locator('[data-sl="message"][data-from="visitor"]', { hasText: 'ik durf niet te bellen' })
      .waitFor();
    await panel.locator('[data-sl="monitor-readonly"]').waitFor();
    expect(await sup.locator('[data-sl="composer"], [data-sl="send"], textarea').count()).toBe(0);
    await op.locator('[data-sl="monitored"]', { hasText: 'Sanne Smit' }).waitFor();
    expect(await auditEntries(t)).toContainEqual(
      expect.objectContaining({ action: 'monitor', actor: supervisor.id, conversation: id }),
    );

    // Messages both ways reach the supervisor as they happen.
    await emitAck(visitor.socket, 'chat:message', { clientMessageId: randomUUID(), text: 'Hij slaapt nu' });
    await panel.locator('[data-sl="message"][data-from="visitor"]', { hasText: 'Hij slaapt nu' }).waitFor();
    const toVisitor = nextEvent<Message>(visitor.socket, 'chat:message', {
      where: (m) => m.from === 'operator',
    });
    await op.locator('[data-sl="composer"]').fill('Goed dat je schrijft. Ben je nu veilig?');
    await op.locator('[data-sl="send"]').click();
    await toVisitor;
    await panel
      .locator('[data-sl="message"][data-from="operator"]', { hasText: 'Ben je nu veilig?' })
      .waitFor();
    expect(await axeViolations(sup)).toEqual([]);

    // Stopping: the operator's hint goes away.
    await panel.locator('[data-sl="unmonitor"]').click();
    await panel.waitFor({ state: 'detached' });
    await op.locator('[data-sl="monitored"]').waitFor({ state: 'detached' });

    // Acute danger: every supervisor view shows it and reads it out at once (assertive).
    await sup.locator('[data-sl="view-canned"]').click();
    await op.locator('[data-sl="acute-danger"]').click();
    const alert = sup.locator('[data-sl="alert-bar"] [data-sl="alert"][data-kind="acute-danger"]');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('Anna de Vries');
    const live = sup.locator('[data-sl="alert-live"]');
    expect(await live.getAttribute('aria-live')).toBe('assertive');
    expect(await live.textContent()).toContain('Anna de Vries');
    expect(await axeViolations(sup)).toEqual([]);
    // From the alert straight to reading along, with the acute danger shown.
    await alert.locator('[data-sl="alert-open"]').click();
    await panel.waitFor();
    await panel.locator('.acute-facts').waitFor();
    await sup.locator('[data-sl="alert-bar"]').waitFor({ state: 'detached' });
    await op.locator('[data-sl="monitored"]').waitFor();

    // Reassign to a colleague who is signed in (a socket here), picked from the overview's list.
    const colleague = await createOperator(t, { displayName: 'Bram Jansen' });
    const bram = await connectOperator(t.url, colleague.cookie);
    sockets.push(bram);
    await sup.locator('[data-sl="overview"] button', { hasText: /Vernieuwen/ }).click();
    await sup.locator(`[data-sl="overview-operator"][data-operator-id="${colleague.id}"]`).waitFor();
    await row.locator('[data-sl="reassign-open"]').click();
    const form = sup.locator(`[data-sl="reassign-form"][data-conversation-id="${id}"]`);
    await form.waitFor();
    // The holder is not offered; the colleague is.
    expect(await form.locator(`option[value="${operator.id}"]`).count()).toBe(0);
    await form.locator('[data-sl="reassign-operator"]').selectOption(colleague.id);
    expect(await axeViolations(sup)).toEqual([]);
    const toBram = nextEvent<{ conversation: { conversationId: string } }>(bram, 'chat:assigned', {
      where: (p) => p.conversation.conversationId === id,
    });
    await form.locator('[data-sl="reassign-confirm"]').click();
    await toBram;
    await form.waitFor({ state: 'detached' });
    await op
      .locator(`[data-sl="conversation-tab"][data-conversation-id="${id}"]`)
      .waitFor({ state: 'detached' });
    await row.locator('[data-sl="overview-holder"]', { hasText: 'Bram Jansen' }).waitFor();
    expect(await auditEntries(t)).toContainEqual(
      expect.objectContaining({ action: 'reassign', actor: supervisor.id, conversation: id }),
    );

    // A waiting visitor can be handed to a named operator straight from the waiting list.
    const waiting = await startVisitor({ role: 'bystander', language: 'nl', text: 'Mijn buurvrouw' });
    const waitingRow = sup.locator(`[data-sl="overview-waiting"][data-conversation-id="${waiting.id}"]`);
    await waitingRow.locator('[data-sl="assign-open"]').click();
    const assignForm = sup.locator(`[data-sl="reassign-form"][data-conversation-id="${waiting.id}"]`);
    expect(await assignForm.locator('[data-sl="reassign-to-queue"]').count()).toBe(0);
    await assignForm.locator('[data-sl="reassign-operator"]').selectOption(colleague.id);
    expect(await axeViolations(sup)).toEqual([]);
    const alsoToBram = nextEvent<{ conversation: { conversationId: string } }>(bram, 'chat:assigned', {
      where: (p) => p.conversation.conversationId === waiting.id,
    });
    await assignForm.locator('[data-sl="reassign-confirm"]').click();
    await alsoToBram;
    await waitingRow.waitFor({ state: 'detached' });
  }, 120_000);

  it('lets supervisors manage canned responses, which the composer offers at once', async () => {
    const supervisor = await createConsoleAccount(t, { role: 'supervisor', displayName: 'Sanne Smit' });
    const page = await newPage();
    await signInConsole(page, t.url, supervisor);
    await page.locator('[data-sl="view-canned"]').click();
    await page.locator('[data-sl="canned-row"][data-canned-id="safety-check"][data-language="nl"]').waitFor();
    expect(await axeViolations(page)).toEqual([]);

    // The shared schema's rules, before anything is sent.
    await page.locator('[data-sl="canned-new"]').click();
    await page.locator('[data-sl="canned-id"]').fill('Slaap Tip');
    await page.locator('[data-sl="canned-save"]').click();
    await page.locator('[data-sl="field-error"][data-field="id"]').waitFor();
    await page.locator('[data-sl="field-error"][data-field="title"]').waitFor();
    await page.locator('[data-sl="field-error"][data-field="text"]').waitFor();
    expect(await axeViolations(page)).toEqual([]);

    const saved = page.waitForResponse(
      (r) => r.url().endsWith('/api/canned') && r.request().method() === 'PUT',
    );
    await page.locator('[data-sl="canned-id"]').fill('nachtrust');
    await page.locator('[data-sl="canned-title"]').fill('Nachtrust');
    await page.locator('[data-sl="canned-text"]').fill('Lukt het om vannacht ergens rustig te slapen?');
    await page.locator('[data-sl="canned-keywords"]').fill('slapen, nacht');
    await page.locator('[data-sl="canned-save"]').click();
    expect((await saved).status()).toBe(200);
    const row = page.locator('[data-sl="canned-row"][data-canned-id="nachtrust"][data-language="nl"]');
    await row.waitFor();
    const stored = await t.app.redis.hget(`${t.config.redisPrefix}:canned`, 'nachtrust:nl');
    expect(JSON.parse(stored ?? '{}')).toMatchObject({ title: 'Nachtrust', keywords: ['slapen', 'nacht'] });

    // Editing keeps id and language; the composer's "/" list uses the new text straight away.
    await row.locator('[data-sl="canned-edit"]').click();
    expect(await page.locator('[data-sl="canned-id"]').getAttribute('readonly')).not.toBeNull();
    await page.locator('[data-sl="canned-text"]').fill('Lukt het om vannacht veilig te slapen?');
    await page.locator('[data-sl="canned-save"]').click();
    await row.locator('td', { hasText: 'veilig te slapen' }).waitFor();

    const visitor = await startVisitor({ role: 'victim', language: 'nl', text: 'Hallo' });
    await page.locator('[data-sl="view-supervisor"]').click();
    await page.locator('[data-sl="view-workspace"]').click();
    await page
      .locator(`[data-sl="queue-item"][data-conversation-id="${visitor.id}"] [data-sl="accept"]`)
      .click();
    const composer = page.locator('[data-sl="composer"]');
    await composer.fill('/slapen');
    await page.locator('[data-sl="canned-option"][data-canned-id="nachtrust"]').waitFor();
    await composer.press('Enter');
    expect(await composer.inputValue()).toBe('Lukt het om vannacht veilig te slapen?');

    // Deleting asks first.
    await page.locator('[data-sl="view-canned"]').click();
    await row.locator('[data-sl="canned-delete"]').click();
    await page.locator('[data-sl="canned-delete-confirm"]').click();
    await row.waitFor({ state: 'detached' });
    expect(await t.app.redis.hget(`${t.config.redisPrefix}:canned`, 'nachtrust:nl')).toBeNull();
  }, 90_000);

  it('after a reconnect, drops what was moved meanwhile and shows what ended meanwhile', async () => {
    const operator = await createConsoleAccount(t, { role: 'operator', displayName: 'Anna de Vries' });
    const page = await newPage();
    await signInConsole(page, t.url, operator);
    const [moved, kept, ended] = [
      await startVisitor({ role: 'victim', language: 'nl', text: 'een' }),
      await startVisitor({ role: 'bystander', language: 'nl', text: 'twee' }),
      await startVisitor({ role: 'concerned', language: 'nl', text: 'drie' }),
    ];
    const tab = (id: string) => page.locator(`[data-sl="conversation-tab"][data-conversation-id="${id}"]`);
    for (const v of [moved, kept, ended]) {
      await page.locator(`[data-sl="queue-item"][data-conversation-id="${v.id}"] [data-sl="accept"]`).click();
      await tab(v.id).waitFor();
    }

    // The console loses its connection and cannot get back for a while...
    await page.route('**/socket.io/**', (route) => route.abort());
    t.app.io.of('/operator').in(`op:${operator.id}`).disconnectSockets(true);
    await page.locator('[data-sl="connection"][data-connection="offline"]').waitFor();

    // ...while a supervisor sends one conversation back to the queue and another visitor ends theirs.
    const supervisor = await createOperator(t, { role: 'supervisor' });
    const sup = await connectOperator(t.url, supervisor.cookie);
    sockets.push(sup);
    expect(
      await emitAck(sup, 'supervisor:reassign', { conversationId: moved.id, to: { queue: true } }),
    ).toEqual({
      ok: true,
    });
    expect(await emitAck(ended.socket as VisitorSocket, 'chat:leave', { reason: 'ended' })).toMatchObject({
      ok: true,
    });

    await page.unroute('**/socket.io/**');
    await page.locator('[data-sl="connection"]').waitFor({ state: 'detached', timeout: 20_000 });
    await tab(moved.id).waitFor({ state: 'detached' });
    await page
      .locator(`[data-sl="announcer"] [data-kind="gone"][data-conversation-id="${moved.id}"]`)
      .waitFor();
    await page
      .locator(`[data-sl="conversation-tab"][data-conversation-id="${ended.id}"][data-state="ended"]`)
      .waitFor();
    expect(await tab(kept.id).getAttribute('data-state')).toBe('active');
    // The moved one waits in the queue again, for anyone to take.
    await page.locator(`[data-sl="queue-item"][data-conversation-id="${moved.id}"]`).waitFor();
  }, 90_000);

  it('offers an operator neither the supervisor nor the admin views, and the server refuses them', async () => {
    const operator = await createConsoleAccount(t, { role: 'operator', displayName: 'Anna de Vries' });
    const page = await newPage();
    await signInConsole(page, t.url, operator);
    for (const view of ['view-supervisor', 'view-canned', 'view-admin']) {
      expect(await page.locator(`[data-sl="${view}"]`).count()).toBe(0);
    }
    expect(await page.locator('[data-sl="alert-live"]').count()).toBe(0);

    // The same requests the supervisor and admin screens make, with the operator's own session.
    const visitor = await startVisitor({ role: 'victim', language: 'nl' });
    const cookie = await login(t.url, operator.username, operator.password);
    const call = (method: string, path: string, body?: unknown) =>
      fetch(`${t.url}${path}`, {
        method,
        headers: { cookie, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      }).then((r) => r.status);
    const canned = { id: 'x', language: 'nl', title: 'X', text: 'Y', keywords: [] };
    const refused = {
      stats: await call('GET', '/api/stats'),
      overview: await call('GET', '/api/supervisor/overview'),
      accounts: await call('GET', '/api/admin/operators'),
      addAccount: await call('POST', '/api/admin/operators', { username: 'sneaky', displayName: 'S' }),
      saveCanned: await call('PUT', '/api/canned', canned),
      deleteCanned: await call('DELETE', '/api/canned/safety-check/nl'),
    };
    expect(refused).toEqual({
      stats: 403,
      overview: 403,
      accounts: 403,
      addAccount: 403,
      saveCanned: 403,
      deleteCanned: 403,
    });
    // Reading along and reassigning over the socket are refused too.
    const socket = await connectOperator(t.url, cookie);
    sockets.push(socket);
    const monitor = await emitAck<{ ok: boolean; error?: { code: string } }>(socket, 'supervisor:monitor', {
      conversationId: visitor.id,
    });
    const reassign = await emitAck<{ ok: boolean; error?: { code: string } }>(socket, 'supervisor:reassign', {
      conversationId: visitor.id,
      to: { queue: true },
    });
    expect([monitor.error?.code, reassign.error?.code]).toEqual(['forbidden', 'forbidden']);
    expect(await auditEntries(t)).not.toContainEqual(expect.objectContaining({ action: 'monitor' }));

    // A supervisor has the supervisor view but not the admin one, and the server agrees.
    const supervisor = await createConsoleAccount(t, { role: 'supervisor', displayName: 'Sanne Smit' });
    const supPage = await newPage();
    await signInConsole(supPage, t.url, supervisor);
    await supPage.locator('[data-sl="view-supervisor"]').waitFor();
    expect(await supPage.locator('[data-sl="view-admin"]').count()).toBe(0);
    const supCookie = await login(t.url, supervisor.username, supervisor.password);
    const asSupervisor = (path: string) =>
      fetch(`${t.url}${path}`, { headers: { cookie: supCookie } }).then((r) => r.status);
    expect([await asSupervisor('/api/stats'), await asSupervisor('/api/admin/operators')]).toEqual([
      200, 403,
    ]);
  }, 90_000);
});

describe('console: who edits the canned responses, on a deployment of two lines', () => {
  const line = (id: string) => ({ id, name: id, languages: ['nl', 'en'], hours: '24/7', embedOrigins: [] });
  const lined = useConsoleWithLines([line('noord'), line('zuid')]);
  const row = (page: Page, id: string, language: string) =>
    page.locator(`[data-sl="canned-row"][data-canned-id="${id}"][data-language="${language}"]`);

  /** An account with these lines, signed in once the server's list has come. */
  async function signedIn(role: 'supervisor' | 'admin', lines?: string[]): Promise<Page> {
    const username = `op${randomUUID().slice(0, 8)}`;
    const password = `pw-${randomUUID()}`;
    await lined.t.app.operators.create({
      username,
      password,
      role,
      displayName: 'Sanne Smit',
      ...(lines ? { lines } : {}),
    });
    const page = await lined.newPage();
    const loaded = page.waitForResponse(
      (r) => r.url().endsWith('/api/canned') && r.request().method() === 'GET',
    );
    await signInConsole(page, lined.t.url, { username, password });
    expect((await loaded).status()).toBe(200);
    return page;
  }
  async function cannedView(role: 'supervisor' | 'admin', lines?: string[]): Promise<Page> {
    const page = await signedIn(role, lines);
    await page.locator('[data-sl="view-canned"]').click();
    return page;
  }

  it('offers a supervisor of one line no canned editor, which the server would refuse', async () => {
    const page = await signedIn('supervisor', ['noord']);
    await page.locator('[data-sl="view-supervisor"]').click();
    await page.locator('[data-sl="overview"]').waitFor();
    expect(await page.locator('[data-sl="view-canned"]').count()).toBe(0);
    for (const control of ['canned-new', 'canned-edit', 'canned-delete', 'canned-form'])
      expect(await page.locator(`[data-sl="${control}"]`).count(), control).toBe(0);
  }, 90_000);

  it('offers the editor to an admin and a supervisor of both lines, with no delete for the safety-critical texts', async () => {
    const bothLines = await cannedView('supervisor', ['noord', 'zuid']);
    await bothLines.locator('[data-sl="canned-new"]').waitFor();
    expect(await bothLines.locator('[data-sl="canned-read-only"]').count()).toBe(0);

    const page = await cannedView('admin');
    await page.locator('[data-sl="canned-new"]').waitFor();
    expect(await page.locator('[data-sl="canned-read-only"]').count()).toBe(0);
    // The safety check and the 112 script: editable, in every language, never deletable.
    for (const id of [
      'safety-check',
      'emergency-112',
      'acute-location',
      'acute-consent',
      'acute-help-coming',
    ]) {
      for (const language of ['nl', 'en', 'ar', 'tr', 'pl']) {
        const r = row(page, id, language);
        expect(await r.locator('[data-sl="canned-edit"]').count(), `${id}:${language}`).toBe(1);
        expect(await r.locator('[data-sl="canned-delete"]').count(), `${id}:${language}`).toBe(0);
        expect(await r.locator('[data-sl="canned-protected"]').count(), `${id}:${language}`).toBe(1);
      }
    }
    expect(await axeViolations(page)).toEqual([]);

    // Positive control: an ordinary default is deleted as before.
    const takeTime = row(page, 'take-time', 'nl');
    await takeTime.locator('[data-sl="canned-delete"]').click();
    await page.locator('[data-sl="canned-delete-confirm"]').click();
    await takeTime.waitFor({ state: 'detached' });
    expect(await lined.t.app.redis.hget(lined.t.app.keys.canned, 'take-time:nl')).toBeNull();
    expect(await lined.t.app.redis.hget(lined.t.app.keys.canned, 'emergency-112:nl')).not.toBeNull();
  }, 90_000);
});
