/**
 * Insider model (DESIGN.md): someone who comes back with the return code may be the
 * perpetrator, who saw the code on her screen. A supervisor reading along is warned as the
 * holding operator is: as it happens, and when reading along starts after the return (the
 * server keeps the mark with the conversation). A reconnect by resume token warns nobody.
 */
import { randomUUID } from 'node:crypto';
import type { ResumeAck, StartAck } from '@stille-lijn/shared';
import type { Page } from 'playwright-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app.ts';
import { axeViolations, createConsoleAccount } from '../support/browser.ts';
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

type Ok<T> = { ok: true } & T;
type Returned = { conversationId: string; by: string };

describe('console: reading along after a return by code', () => {
  const ui = useConsole();
  let t: TestApp;
  const sockets: (VisitorSocket | OperatorSocket)[] = [];
  const track = <S extends VisitorSocket | OperatorSocket>(s: S) => {
    sockets.push(s);
    return s;
  };

  beforeEach(() => {
    t = ui.t;
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.disconnect();
  });

  /** A conversation held by an operator's console (a socket here). */
  async function held() {
    const anna = await createOperator(t, { displayName: 'Anna de Vries' });
    const holder = track(await connectOperator(t.url, anna.cookie));
    const v = track(await connectVisitor(t.url));
    const start = await emitAck<Ok<StartAck>>(v, 'chat:start', {
      role: 'victim',
      language: 'nl',
      text: 'Hij leest mijn telefoon',
    });
    expect(
      (await emitAck<{ ok: boolean }>(holder, 'chat:accept', { conversationId: start.conversationId })).ok,
    ).toBe(true);
    return { holder, v, start, id: start.conversationId };
  }

  /** She quick-exits; someone comes back with her code on another device. */
  async function redeem(holder: OperatorSocket, v: VisitorSocket, start: StartAck) {
    await emitAck(v, 'chat:leave', { reason: 'quick-exit' });
    v.disconnect();
    const back = nextEvent<Returned>(holder, 'chat:visitor-returned');
    const other = track(await connectVisitor(t.url));
    const redeemed = await emitAck<Ok<ResumeAck>>(other, 'chat:resume', { returnCode: start.returnCode });
    expect(redeemed.ok).toBe(true);
    expect(await back).toEqual({ conversationId: start.conversationId, by: 'return-code' });
    return other;
  }

  /** The supervisor's console, reading along with conversation `id`. */
  async function readAlong(id: string): Promise<{ sup: Page; panel: ReturnType<Page['locator']> }> {
    const supervisor = await createConsoleAccount(t, { role: 'supervisor', displayName: 'Sanne Smit' });
    const sup = await ui.signedIn(supervisor);
    await sup.locator('[data-sl="view-supervisor"]').click();
    await sup
      .locator(`[data-sl="overview-conversation"][data-conversation-id="${id}"] [data-sl="monitor"]`)
      .click();
    const panel = sup.locator(`[data-sl="monitor-panel"][data-conversation-id="${id}"][data-status="ready"]`);
    await panel.waitFor();
    return { sup, panel };
  }

  const expectWarning = async (warning: ReturnType<Page['locator']>) => {
    await warning.waitFor();
    expect(await warning.textContent()).toContain('heeft iemand de terugkeercode gebruikt');
    expect(await warning.textContent()).toContain('misschien niet dezelfde persoon');
  };

  it('warns the supervisor as it happens; a reconnect by token does not', async () => {
    const { holder, v, start, id } = await held();
    const { sup, panel } = await readAlong(id);
    const warning = panel.locator('[data-sl="monitor-return-code-used"]');
    expect(await warning.count()).toBe(0);

    // Her own client reconnects with its resume token: no warning. A message she sends after
    // it reaches the panel after the return did.
    await emitAck(v, 'chat:leave', { reason: 'quick-exit' });
    const byToken = nextEvent<Returned>(holder, 'chat:visitor-returned');
    const resumed = await emitAck<Ok<ResumeAck>>(v, 'chat:resume', { resumeToken: start.resumeToken });
    expect(resumed.ok).toBe(true);
    expect((await byToken).by).toBe('token');
    await emitAck(v, 'chat:message', { clientMessageId: randomUUID(), text: 'Ik ben er weer' });
    await panel.locator('[data-sl="message"][data-from="visitor"]', { hasText: 'Ik ben er weer' }).waitFor();
    expect(await warning.count()).toBe(0);

    // Someone comes back with the return code: the panel warns, without a reload.
    await redeem(holder, v, start);
    await expectWarning(warning);
    expect(await axeViolations(sup)).toEqual([]);
  });

  it('warns the supervisor who starts reading along after the return', async () => {
    const { holder, v, start, id } = await held();
    await redeem(holder, v, start);
    const { panel } = await readAlong(id);
    await expectWarning(panel.locator('[data-sl="monitor-return-code-used"]'));
  });
});
