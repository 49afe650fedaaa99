/**
 * A debrief request follows lines (PROTOCOL.md, "Lines": alerts follow lines): it reaches
 * the supervisors of the asking operator's lines and the admins, and nobody else. It
 * carries the operator's name, so a misrouted one tells another line who is struggling.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SupervisorAlert } from '@stille-lijn/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  collect,
  connectOperator,
  createOperator,
  emitAck,
  type OperatorSocket,
  waitFor,
} from '../support/clients.ts';

const LINES = [
  { id: 'a', name: 'Lijn A', languages: ['nl', 'en'], hours: '24/7', embedOrigins: [] },
  { id: 'b', name: 'Lijn B', languages: ['nl', 'en'], hours: '24/7', embedOrigins: [] },
];

type AnyAck = { ok: boolean; error?: { code: string } };

let t: TestApp;
let dir: string;
const sockets: OperatorSocket[] = [];

async function member(role: 'operator' | 'supervisor' | 'admin', lines: string[] | undefined) {
  const acct = await createOperator(t, { role, ...(lines ? { lines } : {}) });
  const s = await connectOperator(t.url, acct.cookie);
  sockets.push(s);
  return { id: acct.id, s, alerts: collect<SupervisorAlert>(s, 'supervisor:alert') };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'debrief-lines-'));
  const file = join(dir, 'lines.json');
  writeFileSync(file, JSON.stringify(LINES));
  t = await startTestApp({ LINES_FILE: file });
});

afterAll(async () => {
  for (const s of sockets.splice(0)) s.disconnect();
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('operator:debrief', () => {
  it('alerts the supervisors of the operator’s lines and the admins, not another line’s', async () => {
    const supA = await member('supervisor', ['a']);
    const supB = await member('supervisor', ['b']);
    const admin = await member('admin', undefined);
    const opA = await member('operator', ['a']);
    const opB = await member('operator', ['b']);
    const debriefsOf = (alerts: SupervisorAlert[]) =>
      alerts.filter((a) => a.kind === 'debrief-request').map((a) => a.operatorId);

    expect((await emitAck<AnyAck>(opA.s, 'operator:debrief', {})).ok).toBe(true);
    await waitFor(
      () => debriefsOf(supA.alerts).includes(opA.id) && debriefsOf(admin.alerts).includes(opA.id),
    );
    // A marker for line b, sent after: once it has reached b's supervisor, anything
    // misrouted before it has arrived too.
    expect((await emitAck<AnyAck>(opB.s, 'operator:debrief', {})).ok).toBe(true);
    await waitFor(
      () => debriefsOf(supB.alerts).includes(opB.id) && debriefsOf(admin.alerts).includes(opB.id),
    );

    expect(debriefsOf(supA.alerts)).toEqual([opA.id]);
    expect(debriefsOf(supB.alerts)).toEqual([opB.id]);
    expect(debriefsOf(admin.alerts)).toEqual([opA.id, opB.id]);
    expect(supA.alerts.find((a) => a.kind === 'debrief-request')).toMatchObject({
      operatorId: opA.id,
      operatorName: expect.any(String),
      at: expect.any(String),
    });
  });

  it('alerts every line of an operator who belongs to several, once per supervisor', async () => {
    const supA = await member('supervisor', ['a']);
    const supB = await member('supervisor', ['b']);
    const supAB = await member('supervisor', ['a', 'b']);
    const both = await member('operator', ['a', 'b']);
    const asked = (sup: { alerts: SupervisorAlert[] }) =>
      sup.alerts.filter((a) => a.kind === 'debrief-request' && a.operatorId === both.id);
    expect((await emitAck<AnyAck>(both.s, 'operator:debrief', {})).ok).toBe(true);
    await waitFor(() => [supA, supB, supAB].every((sup) => asked(sup).length > 0));
    // A marker to line b, so that a second copy to supAB would have arrived before it.
    const opB = await member('operator', ['b']);
    expect((await emitAck<AnyAck>(opB.s, 'operator:debrief', {})).ok).toBe(true);
    await waitFor(() => supAB.alerts.some((a) => a.operatorId === opB.id));
    for (const sup of [supA, supB, supAB]) expect(asked(sup)).toHaveLength(1);
  });
});
