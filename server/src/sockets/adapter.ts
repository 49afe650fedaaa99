import { createAdapter, type RedisAdapter, type RedisAdapterOptions } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import type { Namespace } from 'socket.io';

/** Server-to-server (Socket.IO `serverSideEmit`): a new instance, or one that re-subscribed. */
export const PEER_HELLO = 'instance:hello';

/** How often an instance asks Redis how many instances share its adapter channels. */
export const PEER_CHECK_MS = 2000;

/**
 * Whether other server instances share this one's rooms, so that a broadcast must be
 * published to them. The Redis adapter publishes every broadcast, even when no other
 * instance exists; on one instance that publish (and reading it back on the subscriber
 * connection) was about a tenth of the server's CPU in the relay phase of `npm run bench`
 * (--cpu-prof).
 *
 * An instance counts itself alone only while Redis says one subscriber listens on the
 * adapter's request channel (`PUBSUB NUMSUB`, the adapter's own `serverCount()`). A new
 * instance says hello to every other one and waits for their answers before it serves
 * any socket; an instance whose subscriber re-subscribed (after a Redis restart or a
 * failover) says hello too. A hello makes the instance that hears it publish again at
 * once, before it answers, and a count asked before a hello arrived is discarded, so no
 * broadcast is kept from a socket on another instance once that instance has said hello.
 */
export class PeerWatch {
  /** True only while no other instance listens: broadcasts then stay on this instance. */
  alone = false;
  #hellos = 0;
  #timer: NodeJS.Timeout | undefined;

  /** A hello from another instance: publish from now on, until a later count says otherwise. */
  heardHello(): void {
    this.#hellos++;
    this.alone = false;
  }

  /** Asks Redis how many instances listen; stays publishing on any doubt. */
  async check(count: () => Promise<number>): Promise<void> {
    const hellosBefore = this.#hellos;
    let n: number;
    try {
      n = await count();
    } catch {
      this.alone = false;
      return;
    }
    this.alone = n === 1 && this.#hellos === hellosBefore;
  }

  /** Re-checks every `PEER_CHECK_MS`, so an instance that left is noticed. */
  start(count: () => Promise<number>): void {
    this.#timer = setInterval(() => void this.check(count), PEER_CHECK_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.alone = false;
  }
}

/**
 * The Redis adapter, with the publish of a broadcast skipped while `peers.alone`. `parser`
 * seals what is published (`relayParser` in notify-plugin.ts); a skipped publish seals nothing.
 */
export function createPeerAwareAdapter(
  pub: Redis,
  sub: Redis,
  opts: Pick<RedisAdapterOptions, 'key' | 'parser'>,
  peers: PeerWatch,
): (nsp: Namespace) => RedisAdapter {
  const make = createAdapter(pub, sub, opts);
  // Socket.IO calls it with `new`: a function, not an arrow, whose returned object wins.
  return function peerAwareAdapter(nsp: Namespace): RedisAdapter {
    const adapter = make(nsp);
    const broadcast = adapter.broadcast.bind(adapter);
    adapter.broadcast = (packet, o) => {
      if (peers.alone && !o.flags?.local) {
        o.flags = { ...o.flags, local: true };
      }
      // The adapter encodes a packet before it looks for sockets. An operator's message
      // goes to their other tabs too, and most operators have one: skip the encoding
      // when nobody here (and, being local, nobody elsewhere) would get it.
      if (o.flags?.local && !reachesLocalSocket(adapter, o)) return;
      broadcast(packet, o);
    };
    return adapter;
  };
}

/** Whether a broadcast reaches a socket of this instance: one in its rooms and in none of its `except` rooms. */
export function reachesLocalSocket(
  adapter: Pick<RedisAdapter, 'rooms'>,
  opts: { rooms: ReadonlySet<string>; except?: ReadonlySet<string> },
): boolean {
  // No rooms is the whole namespace.
  if (opts.rooms.size === 0) return true;
  for (const room of opts.rooms) {
    const sids = adapter.rooms.get(room);
    if (!sids) continue;
    for (const sid of sids) if (!isExcepted(adapter, opts.except, sid)) return true;
  }
  return false;
}

function isExcepted(
  adapter: Pick<RedisAdapter, 'rooms'>,
  except: ReadonlySet<string> | undefined,
  sid: string,
) {
  if (!except) return false;
  for (const room of except) if (adapter.rooms.get(room)?.has(sid)) return true;
  return false;
}
