import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { postDelivery } from './delivery.ts';

interface Seen {
  key: string | undefined;
  type: string | undefined;
  body: unknown;
}

async function endpoint(answer: (req: IncomingMessage) => number | 'hang'): Promise<{
  url: string;
  seen: Seen[];
  server: Server;
}> {
  const seen: Seen[] = [];
  const server = createServer(async (req, res) => {
    let text = '';
    for await (const chunk of req) text += String(chunk);
    seen.push({
      key: req.headers['idempotency-key'] as string | undefined,
      type: req.headers['content-type'],
      body: JSON.parse(text),
    });
    const status = answer(req);
    if (status === 'hang') return;
    res.writeHead(status, status === 302 ? { location: 'http://127.0.0.1:1/' } : {});
    res.end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return { url: `http://127.0.0.1:${port}/vt`, seen, server };
}

const body = { reportId: 'rep-1', region: 'VR09' as const, sealed: 'c2VhbGVk' };

describe('postDelivery', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });

  it('POSTs { reportId, region, sealed } as JSON with Idempotency-Key: <reportId>', async () => {
    const e = await endpoint(() => 201);
    servers.push(e.server);
    await postDelivery(e.url, body);
    expect(e.seen).toEqual([{ key: 'rep-1', type: 'application/json', body }]);
  });

  it.each([
    [500, 'HTTP 500'],
    [404, 'HTTP 404'],
    [302, 'HTTP 302'],
  ])('treats %s as not received', async (status, error) => {
    const e = await endpoint(() => status);
    servers.push(e.server);
    await expect(postDelivery(e.url, body)).rejects.toThrow(error);
    expect(e.seen).toHaveLength(1);
  });

  it('gives up on an endpoint that does not answer in time', async () => {
    const e = await endpoint(() => 'hang');
    servers.push(e.server);
    const started = Date.now();
    await expect(postDelivery(e.url, body, { timeoutMs: 200 })).rejects.toThrow('timeout');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('names a refused connection without the URL', async () => {
    const e = await endpoint(() => 200);
    await new Promise((r) => e.server.close(r));
    const err = await postDelivery(e.url, body).catch((x: Error) => x);
    expect((err as Error).message).toBe('ECONNREFUSED');
  });
});
