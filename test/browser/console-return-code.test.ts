/**
 * Security review V4: a visitor who reconnects with their resume token is the same client;
 * someone who comes back with the return code may be someone else (a perpetrator who found
 * the code). The console tells the two apart, in Dutch first, and keeps the warning up,
 * also after a reload (the server keeps the mark with the conversation).
 */
import type { ResumeAck, StartAck } from '@stille-lijn/shared';
import type { Page } from 'playwright-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app.ts';
import { createConsoleAccount, signInConsole } from '../support/browser.ts';
import { connectVisitor, emitAck, nextEvent, type VisitorSocket } from '../support/clients.ts';
import { useConsole } from './console-harness.ts';

type Ok<T> = { ok: true } & T;

describe('operator console: how the visitor came back', () => {
  const ui = useConsole();
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

  async function visitor() {
    const v = await connectVisitor(t.url);
    visitors.push(v);
    return v;
  }

  it('a reconnect says the visitor is back; a return code warns that it may be someone else', async () => {
    const account = await createConsoleAccount(t);
    const v = await visitor();
    const start = await emitAck<Ok<StartAck>>(v, 'chat:start', {
      role: 'victim',
      language: 'nl',
      text: 'Hallo',
    });
    const id = start.conversationId;
    await signInConsole(page, t.url, account);
    const item = page.locator(`[data-sl="queue-item"][data-conversation-id="${id}"]`);
    const assigned = nextEvent(v, 'chat:assigned');
    await item.locator('[data-sl="accept"]').click();
    await assigned;
    const tab = page.locator(`[data-sl="conversation-tab"][data-conversation-id="${id}"]`);
    const returned = tab.locator('[data-sl="visitor-returned"]');
    const warning = page.locator('[data-sl="return-code-used"]');
    const announcer = page.locator('[data-sl="announcer"]');

    // A reconnect with the resume token: the plain notice, no warning.
    await emitAck(v, 'chat:leave', { reason: 'quick-exit' });
    await tab.locator('[data-sl="visitor-left"]').waitFor();
    const resumed = await emitAck<Ok<ResumeAck>>(v, 'chat:resume', { resumeToken: start.resumeToken });
    expect(resumed.ok).toBe(true);
    await returned.waitFor();
    expect(await returned.getAttribute('data-by')).toBe('token');
    await page.getByText('De bezoeker is teruggekomen.', { exact: true }).waitFor();
    expect(await warning.count()).toBe(0);
    expect(await announcer.textContent()).toContain('de bezoeker is teruggekomen');

    // Someone else comes back with the return code.
    await emitAck(v, 'chat:leave', { reason: 'quick-exit' });
    await tab.locator('[data-sl="visitor-left"]').waitFor();
    v.disconnect();
    const other = await visitor();
    const redeemed = await emitAck<Ok<ResumeAck>>(other, 'chat:resume', { returnCode: start.returnCode });
    expect(redeemed.ok).toBe(true);
    await warning.waitFor();
    expect(await warning.textContent()).toContain('heeft iemand de terugkeercode gebruikt');
    expect(await warning.textContent()).toContain('misschien niet dezelfde persoon');
    expect(await page.getByText('De bezoeker is teruggekomen.', { exact: true }).count()).toBe(0);
    expect(await returned.getAttribute('data-by')).toBe('return-code');
    await announcer.locator(`[data-kind="visitor-returned"][data-conversation-id="${id}"]`).waitFor();
    expect(await announcer.textContent()).toContain('terugkeercode');

    // Whoever holds the conversation now reconnects by token: the warning stays.
    await emitAck(other, 'chat:leave', { reason: 'quick-exit' });
    await warning.waitFor({ state: 'detached' });
    const again = await emitAck<Ok<ResumeAck>>(other, 'chat:resume', { resumeToken: redeemed.resumeToken });
    expect(again.ok).toBe(true);
    await warning.waitFor();
    expect(await returned.getAttribute('data-by')).toBe('return-code');

    // A reload forgets what this tab saw: the warning comes back from the conversation itself.
    await page.reload();
    await warning.waitFor();
    expect(await warning.textContent()).toContain('heeft iemand de terugkeercode gebruikt');
    expect(await returned.getAttribute('data-by')).toBe('return-code');
  });
});
