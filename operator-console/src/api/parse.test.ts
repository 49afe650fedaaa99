import { afterEach, describe, expect, it, vi } from 'vitest';
import { fetchBlocks } from './blocks.ts';
import { reportStatusFrom } from './reports.ts';
import { failureOf } from './rest.ts';
import { fetchOverview } from './supervisor.ts';

/** Answers every fetch with this status and JSON body. */
function answer(status: number, body: unknown) {
  vi.stubGlobal(
    'fetch',
    vi.fn(
      async () =>
        new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }),
    ),
  );
}

const operator = (id: string, displayName: string) => ({
  id,
  displayName,
  status: 'available',
  load: 1,
  capacity: 3,
  connected: true,
  highRiskThisShift: 0,
});

describe('reading console REST answers with the shared schemas', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('takes the overview, operators sorted by name, and keeps fields a later release adds', async () => {
    const conversation = {
      conversationId: 'c1',
      state: 'active',
      role: 'victim',
      language: 'nl',
      tags: [],
      urgent: false,
      waitingSince: '2025-01-01T10:00:00.000Z',
      signals: [{ category: 'weapon', weight: 'high', spans: [] }],
    };
    answer(200, { conversations: [conversation], operators: [operator('b', 'Bram'), operator('a', 'Anna')] });
    const res = await fetchOverview();
    expect(res.ok && res.data.operators.map((o) => o.id)).toEqual(['a', 'b']);
    expect(res.ok && res.data.conversations[0]).toMatchObject({ signals: conversation.signals });
  });

  it('calls an answer of the wrong shape unavailable instead of showing half of it', async () => {
    answer(200, { conversations: [{ conversationId: 7 }], operators: [] });
    expect(await fetchOverview()).toEqual({ ok: false, kind: 'unavailable', fields: [] });
    answer(200, {
      operators: [operator('a', 'Anna'), { ...operator('x', 'Kapot'), load: -1 }],
      conversations: [],
    });
    expect(await fetchOverview()).toMatchObject({ ok: false, kind: 'unavailable' });
  });

  it('takes the blocks newest first, only when, until and by whom', async () => {
    const older = {
      blockId: 'b1',
      createdAt: '2025-01-01T10:00:00.000Z',
      expiresAt: '2025-01-01T12:00:00.000Z',
      operatorName: 'Anna',
    };
    const newer = {
      ...older,
      blockId: 'b2',
      createdAt: '2025-01-01T11:00:00.000Z',
      addr: 'must not be kept',
    };
    answer(200, { blocks: [older, newer] });
    const res = await fetchBlocks();
    expect(res.ok && res.data.map((b) => b.blockId)).toEqual(['b2', 'b1']);
    expect(Object.keys((res.ok && res.data[0]) || {}).sort()).toEqual([
      'blockId',
      'createdAt',
      'expiresAt',
      'operatorName',
    ]);
  });

  it('takes a report status, never more than the status', () => {
    const s = reportStatusFrom({
      reportId: 'r1',
      conversationId: 'c1',
      region: 'VR09',
      status: 'failed',
      attempts: 8,
      lastError: 'HTTP 503',
      createdAt: '2025-01-01T10:00:00.000Z',
      summary: 'must not be kept',
    });
    expect(s).toEqual({
      reportId: 'r1',
      conversationId: 'c1',
      region: 'VR09',
      status: 'failed',
      attempts: 8,
      lastError: 'HTTP 503',
      createdAt: '2025-01-01T10:00:00.000Z',
    });
    const base = { reportId: 'r', conversationId: 'c', status: 'queued', attempts: 0, createdAt: '' };
    expect(reportStatusFrom({ ...base, region: 'VR99' })).toBeUndefined();
  });

  it('reads the code, reason and fields of an error; a reason it does not know is dropped', async () => {
    expect(
      failureOf(409, { error: { code: 'conflict', message: 'x', reason: 'report_not_failed' } }),
    ).toEqual({ ok: false, kind: 'conflict', fields: [], reason: 'report_not_failed' });
    expect(failureOf(409, { error: { code: 'conflict', message: 'x', reason: 'from_the_future' } })).toEqual({
      ok: false,
      kind: 'conflict',
      fields: [],
    });
    expect(
      failureOf(400, { error: { code: 'invalid_payload', message: 'x' }, fields: ['username'] }),
    ).toEqual({ ok: false, kind: 'invalid', fields: ['username'] });
    expect(failureOf(502, '<html>')).toEqual({ ok: false, kind: 'unavailable', fields: [] });
    answer(403, { error: { code: 'forbidden', message: 'x', reason: 'role_required' } });
    expect(await fetchBlocks()).toEqual({
      ok: false,
      kind: 'forbidden',
      fields: [],
      reason: 'role_required',
    });
  });
});
