import type { ReportStatus } from '@stille-lijn/shared/domain/report';
import { describe, expect, it } from 'vitest';
import { assign, run, T0 } from './fixtures.ts';
import { workspaceReducer } from './workspace.ts';

describe('reports', () => {
  it('keeps report statuses, delivered being final, and announces the outcome', () => {
    const status = (over: Partial<ReportStatus>): ReportStatus => ({
      reportId: 'r1',
      conversationId: 'a',
      region: 'VR09',
      status: 'queued',
      attempts: 0,
      createdAt: T0,
      ...over,
    });
    let s = run(assign('a'), { type: 'report-status', status: status({}) });
    expect(s.reports.r1?.status).toBe('queued');
    s = workspaceReducer(s, { type: 'report-status', status: status({ status: 'delivered', attempts: 1 }) });
    expect(s.announcement).toMatchObject({ kind: 'report', status: 'delivered', conversationId: 'a' });
    // A late answer from before the delivery does not undo it.
    s = workspaceReducer(s, {
      type: 'report-status',
      status: status({ attempts: 1, lastError: 'HTTP 503' }),
    });
    expect(s.reports.r1).toMatchObject({ status: 'delivered', attempts: 1 });
    // A retry of a failed report (same attempts) moves it back to queued.
    s = workspaceReducer(s, {
      type: 'report-status',
      status: status({ reportId: 'r2', status: 'failed', attempts: 3 }),
    });
    s = workspaceReducer(s, { type: 'report-status', status: status({ reportId: 'r2', attempts: 3 }) });
    expect(s.reports.r2?.status).toBe('queued');
  });
});
