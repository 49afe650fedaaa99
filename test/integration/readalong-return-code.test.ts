/**
 * Insider model (DESIGN.md): someone who comes back with the return code may be the
 * perpetrator, who saw the code on her screen. The holding operator is warned
 * (`chat:visitor-returned` `by: 'return-code'`); a supervisor reading along must be too,
 * as it happens, and nobody else may hear of the return. Against the suite's real Redis
 * and Socket.IO.
 */
import type { ResumeAck, StartAck } from '@stille-lijn/shared';
import { describe, expect, it } from 'vitest';
import { collect, emitAck, nextEvent, type OperatorSocket, waitFor } from '../support/clients.ts';
import { appPerTest } from '../support/per-test.ts';

type Ok<T> = { ok: true } & T;
type AnyAck = { ok: boolean; error?: { code: string; reason?: string } };
type Returned = { conversationId: string; by: string };

const h = appPerTest();

describe('a return by code while a supervisor reads along', () => {
  it('reaches the supervisor reading along, as it reaches the holder, and nobody else', async () => {
    await h.start();
    const anna = await h.operator();
    const sanne = await h.operator('supervisor');
    // Signed in, but not reading along: one never did, one stopped before the return.
    const wim = await h.operator('supervisor');
    const sem = await h.operator('supervisor');
    const bram = await h.operator();

    const v = await h.visitor();
    const start = await emitAck<Ok<StartAck>>(v, 'chat:start', {
      role: 'victim',
      language: 'nl',
      text: 'hallo',
    });
    const id = start.conversationId;
    expect((await emitAck<AnyAck>(anna.s, 'chat:accept', { conversationId: id })).ok).toBe(true);
    for (const sup of [sanne, sem])
      expect((await emitAck<AnyAck>(sup.s, 'supervisor:monitor', { conversationId: id })).ok).toBe(true);
    expect((await emitAck<AnyAck>(sem.s, 'supervisor:unmonitor', { conversationId: id })).ok).toBe(true);

    const heard = (s: OperatorSocket) => collect<Returned>(s, 'chat:visitor-returned');
    const byAnna = heard(anna.s);
    const bySanne = heard(sanne.s);
    const toSanne = nextEvent<Returned>(sanne.s, 'chat:visitor-returned', { ms: 5000 });
    const others = [wim, sem, bram].map((c) => ({ s: c.s, heard: heard(c.s) }));

    // She quick-exits; someone comes back with her code on another device.
    expect((await emitAck<AnyAck>(v, 'chat:leave', { reason: 'quick-exit' })).ok).toBe(true);
    v.disconnect();
    const other = await h.visitor();
    const redeemed = await emitAck<Ok<ResumeAck>>(other, 'chat:resume', { returnCode: start.returnCode });
    expect(redeemed.ok).toBe(true);

    await waitFor(() => byAnna.length > 0);
    expect(byAnna).toEqual([{ conversationId: id, by: 'return-code' }]);
    expect(await toSanne).toEqual({ conversationId: id, by: 'return-code' });
    // One server sent it to everyone at once: an answer each of the others gets later comes
    // after anything it was sent with it.
    for (const o of others) await emitAck(o.s, 'supervisor:unmonitor', { conversationId: id });
    for (const o of others) expect(o.heard).toEqual([]);
    expect(bySanne).toHaveLength(1);
  });
});
