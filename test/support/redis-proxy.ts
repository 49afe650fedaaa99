import { createServer, type Socket, connect as tcpConnect } from 'node:net';

export interface RedisProxy {
  /** redis://127.0.0.1:<port>, for REDIS_URL. */
  url: string;
  /** From now on Redis' replies are dropped: commands run, their callers never hear back. */
  loseReplies(): void;
  /** Closes every connection through the proxy (clients reconnect) and passes replies on again. */
  cut(): void;
  /** Redis is away: every connection is cut, and new ones are closed at once, until `restore()`. */
  refuse(): void;
  restore(): void;
  /**
   * What Redis sends back is held, until `release()`, on the subscriber connections (those
   * that sent a SUBSCRIBE: a lagging subscriber) or on the others (slow replies to commands);
   * the other kind goes on.
   */
  hold(kind: 'subscribers' | 'commands'): void;
  release(): void;
  close(): Promise<void>;
}

/**
 * A TCP proxy in front of a Redis, to lose replies the way a dropped connection does: the
 * command has run in Redis, but its caller never learns so.
 */
export async function startRedisProxy(target: { host: string; port: number }): Promise<RedisProxy> {
  let losing = false;
  let refusing = false;
  let holding: 'subscribers' | 'commands' | undefined;
  const held: { client: Socket; data: Buffer }[] = [];
  const pairs = new Set<[Socket, Socket]>();
  const server = createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = tcpConnect(target.port, target.host);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    let subscriber = false;
    client.on('data', (d) => {
      subscriber ||= /subscribe/i.test(d.toString('latin1'));
      upstream.write(d);
    });
    upstream.on('data', (d) => {
      if (losing) return;
      if (holding && (holding === 'subscribers') === subscriber) held.push({ client, data: d });
      else client.write(d);
    });
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const cutAll = () => {
    for (const [client, upstream] of pairs) {
      client.destroy();
      upstream.destroy();
    }
    pairs.clear();
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    loseReplies: () => {
      losing = true;
    },
    cut: () => {
      cutAll();
      losing = false;
    },
    refuse: () => {
      refusing = true;
      cutAll();
    },
    restore: () => {
      refusing = false;
    },
    hold: (kind) => {
      holding = kind;
    },
    release: () => {
      holding = undefined;
      for (const { client, data } of held.splice(0)) if (!client.destroyed) client.write(data);
    },
    close: async () => {
      cutAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
