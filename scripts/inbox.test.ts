import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scoreRisk } from '@stille-lijn/shared/domain/risk';
import { afterEach, describe, expect, it } from 'vitest';
import { generateRegionKeyPair, sealReport } from '../server/src/reports/seal.ts';
import { createInbox, type Inbox, reloadInbox } from './inbox.ts';

const report = {
  version: 1 as const,
  region: 'VR09' as const,
  acuteDanger: false,
  consent: { status: 'agreed' as const },
  reporter: { role: 'victim' as const, name: 'Sara' },
  people: { children: [{ age: 6 }] },
  violence: { kinds: ['physical' as const], danger: 'structural' as const },
  risk: scoreRisk({ strangulation: 'yes' }),
  contact: { method: 'none' as const },
  summary: 'Line one\nline two \u001b[2J',
  excerpts: [{ messageId: '1-0', from: 'visitor' as const, text: 'help', at: '2025-01-01T10:00:00.000Z' }],
  sensitive: 'kept apart',
};

async function setup(dir?: string) {
  const pair = await generateRegionKeyPair();
  const printed: string[] = [];
  const keys = [new Uint8Array(Buffer.from(pair.privateKey, 'base64'))];
  const inbox = createInbox({ keys, print: (t) => printed.push(t), ...(dir ? { dir } : {}) });
  await new Promise<void>((r) => inbox.server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(inbox.server.address() as AddressInfo).port}/`;
  const seal = (reportId: string, publicKey = pair.publicKey) =>
    sealReport(
      {
        reportId,
        conversationId: 'conv-1',
        createdAt: '2025-01-01T10:05:00.000Z',
        helpline: { operatorId: 'op-1', operatorName: 'Anna Smit' },
        report,
      },
      new Uint8Array(Buffer.from(publicKey, 'base64')),
    );
  return { inbox, url, printed, seal, keys };
}

const post = (url: string, body: unknown, key: string | undefined) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
    body: JSON.stringify(body),
  });

describe('the demo inbox', () => {
  let inbox: Inbox | undefined;
  afterEach(async () => {
    inbox?.server.closeAllConnections();
    await new Promise((r) => inbox?.server.close(r) ?? r(undefined));
  });

  it('opens a delivery, prints it readably, and stores a repeat only once', async () => {
    const s = await setup();
    inbox = s.inbox;
    const delivery = { reportId: 'rep-1', region: 'VR09', sealed: await s.seal('rep-1') };
    const first = await post(s.url, delivery, 'rep-1');
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ received: true });
    const again = await post(s.url, delivery, 'rep-1');
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ received: true, duplicate: true });
    expect(s.inbox.received.size).toBe(1);
    expect(s.inbox.received.get('rep-1')!.content.report).toEqual(report);
    expect(s.printed).toHaveLength(1);
    const text = s.printed[0]!;
    expect(text).toContain('rep-1 for VR09 Utrecht');
    expect(text).toContain('Anna Smit');
    expect(text).toContain('name: Sara');
    expect(text).toContain('    Line one\n    line two');
    expect(text).toContain('[2025-01-01T10:00:00.000Z] visitor: help');
    expect(text).toContain('sensitive information (kept apart)');
    // No escape sequence reaches the terminal.
    expect(text).not.toContain('\u001b');
  });

  it('refuses a delivery without the matching Idempotency-Key, a malformed one, and one no key opens', async () => {
    const s = await setup();
    inbox = s.inbox;
    const sealed = await s.seal('rep-2');
    expect((await post(s.url, { reportId: 'rep-2', region: 'VR09', sealed }, undefined)).status).toBe(400);
    expect((await post(s.url, { reportId: 'rep-2', region: 'VR09', sealed }, 'other')).status).toBe(400);
    expect((await post(s.url, { reportId: 'rep-2', region: 'VR99', sealed }, 'rep-2')).status).toBe(400);
    const stranger = await generateRegionKeyPair();
    const foreign = await s.seal('rep-3', stranger.publicKey);
    expect((await post(s.url, { reportId: 'rep-3', region: 'VR09', sealed: foreign }, 'rep-3')).status).toBe(
      422,
    );
    // A box sealed for another report id is not accepted under this one.
    expect((await post(s.url, { reportId: 'rep-4', region: 'VR09', sealed }, 'rep-4')).status).toBe(422);
    expect(s.inbox.received.size).toBe(0);
    expect(s.printed).toEqual([]);
    expect((await fetch(`${s.url}healthz`)).status).toBe(200);
  });

  it('with --dir keeps deliveries sealed on disk, and a restarted inbox still knows them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sl-inbox-'));
    try {
      const s = await setup(dir);
      inbox = s.inbox;
      const delivery = { reportId: 'rep-5', region: 'VR09', sealed: await s.seal('rep-5') };
      expect((await post(s.url, delivery, 'rep-5')).status).toBe(200);
      expect(readdirSync(dir)).toEqual(['rep-5.json']);
      const onDisk = readFileSync(join(dir, 'rep-5.json'), 'utf8');
      expect(onDisk).not.toContain('Line one');
      expect(JSON.parse(onDisk)).toEqual(delivery);
      const restarted = createInbox({ keys: s.keys, print: () => {}, dir });
      expect(await reloadInbox(restarted, dir, s.keys)).toBe(1);
      expect(restarted.received.get('rep-5')!.content.report.summary).toBe(report.summary);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
