import { describe, expect, it } from 'vitest';
import { accountChangeBodySchema, newAccountBodySchema } from './admin.ts';
import { conversationSchema } from './conversations.ts';
import { reportStatusSchema } from './reports.ts';
import { statsResponseSchema } from './stats.ts';
import { overviewOperatorSchema } from './supervision.ts';

const conversation = {
  conversationId: 'c1',
  role: 'victim',
  language: 'nl',
  urgent: false,
  state: 'active',
  waitingSince: '2025-01-01T10:00:00.000Z',
  tags: ['physical'],
};

describe('the REST contract', () => {
  it('reads a conversation loosely: a field of a later release passes, a broken core field does not', () => {
    const later = { ...conversation, signals: [{ category: 'weapon', weight: 'high', spans: [] }] };
    expect(conversationSchema.parse(later)).toEqual(later);
    expect(conversationSchema.safeParse({ ...conversation, state: 'lost' }).success).toBe(false);
    expect(conversationSchema.safeParse({ ...conversation, tags: undefined }).success).toBe(false);
    // The overview's bulk risk: level and score, no answers, no agreement check.
    const bulk = { ...conversation, risk: { answers: {}, score: 15, level: 'high', redFlags: [] } };
    expect(conversationSchema.safeParse(bulk).success).toBe(true);
  });

  it('keeps a report status to the status: content never passes', () => {
    const status = {
      reportId: 'r1',
      conversationId: 'c1',
      region: 'VR01',
      status: 'queued',
      attempts: 0,
      createdAt: '2025-01-01T10:00:00.000Z',
    };
    expect(reportStatusSchema.parse({ ...status, summary: 'never' })).toEqual(status);
    expect(reportStatusSchema.safeParse({ ...status, status: 'lost' }).success).toBe(false);
  });

  it('holds the account rules of npm run operator, with its defaults', () => {
    expect(newAccountBodySchema.parse({ username: ' anna.v ', displayName: 'Anna' })).toEqual({
      username: 'anna.v',
      displayName: 'Anna',
      role: 'operator',
      languages: ['nl', 'en'],
    });
    expect(newAccountBodySchema.safeParse({ username: '.anna', displayName: 'Anna' }).success).toBe(false);
    expect(accountChangeBodySchema.safeParse({}).success).toBe(false);
    expect(accountChangeBodySchema.safeParse({ capacity: 101 }).success).toBe(false);
    expect(accountChangeBodySchema.parse({ capacity: 4 })).toEqual({ capacity: 4 });
  });

  it('refuses figures and operators the server could never mean', () => {
    const figures = {
      waiting: 1,
      longestWaitSeconds: 30,
      active: 2,
      operatorsAvailable: 1,
      operatorsBusy: 1,
      answeredToday: 3,
      endedToday: 2,
      abandonedToday: 0,
      medianWaitSecondsToday: 12,
      signalsToday: { weapon: { raised: 2, dismissed: 1 } },
    };
    expect(statsResponseSchema.parse(figures)).toEqual(figures);
    expect(statsResponseSchema.safeParse({ ...figures, waiting: -1 }).success).toBe(false);
    const unknown = { ...figures, signalsToday: { gossip: { raised: 1, dismissed: 0 } } };
    expect(statsResponseSchema.safeParse(unknown).success).toBe(false);
    const op = {
      id: 'o1',
      displayName: 'Anna',
      status: 'break',
      load: 0,
      capacity: 3,
      connected: true,
      highRiskThisShift: 1,
    };
    expect(overviewOperatorSchema.safeParse(op).success).toBe(true);
    expect(overviewOperatorSchema.safeParse({ ...op, status: 'sleeping' }).success).toBe(false);
  });
});
