import { describe, expect, it } from 'vitest';
import { blocksFrom } from './blocks.ts';
import { reportStatusFrom } from './reports.ts';
import { overviewFrom } from './supervisor.ts';

describe('reading console REST answers', () => {
  it('takes the overview, skipping operators of the wrong shape, sorted by name', () => {
    const body = {
      conversations: [
        { conversationId: 'c1', state: 'active', role: 'victim', language: 'nl', tags: [], urgent: false },
        { conversationId: 7 },
      ],
      operators: [
        { id: 'b', displayName: 'Bram', status: 'available', load: 1, capacity: 3, connected: true },
        { id: 'a', displayName: 'Anna', status: 'weird', load: 0, capacity: 3, connected: false },
        { id: 'x', displayName: 'Kapot', status: 'away', load: -1, capacity: 3, connected: true },
      ],
    };
    const o = overviewFrom(body);
    expect(o?.conversations.map((c) => c.conversationId)).toEqual(['c1']);
    expect(o?.operators.map((op) => [op.id, op.status])).toEqual([
      ['a', 'away'],
      ['b', 'available'],
    ]);
    expect(overviewFrom({ operators: [] })).toBeUndefined();
    expect(overviewFrom(null)).toBeUndefined();
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
    // The core contract has no createdAt; such a status is still shown.
    expect(
      reportStatusFrom({ reportId: 'r', conversationId: 'c', region: 'VR01', status: 'queued', attempts: 0 }),
    ).toMatchObject({ createdAt: '' });
    expect(
      reportStatusFrom({ reportId: 'r', conversationId: 'c', region: 'VR99', status: 'queued', attempts: 0 }),
    ).toBeUndefined();
  });

  it('takes the blocks newest first, only when, until and by whom, skipping malformed ones', () => {
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
    const blocks = blocksFrom({
      blocks: [older, newer, { blockId: 'b3', createdAt: 'yesterday', expiresAt: older.expiresAt }],
    });
    expect(blocks?.map((b) => b.blockId)).toEqual(['b2', 'b1']);
    expect(Object.keys(blocks?.[0] ?? {}).sort()).toEqual([
      'blockId',
      'createdAt',
      'expiresAt',
      'operatorName',
    ]);
    expect(blocksFrom({ blocks: [] })).toEqual([]);
    expect(blocksFrom({})).toBeUndefined();
  });
});
