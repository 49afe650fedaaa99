import type {
  consoleInboundSchemas,
  OperatorClientToServerEvents,
  OperatorServerToClientEvents,
  operatorInboundSchemas,
  VisitorClientToServerEvents,
  VisitorServerToClientEvents,
  visitorInboundSchemas,
} from '@stille-lijn/shared';
import type { Socket } from 'socket.io';
import type { z } from 'zod';
import type { SessionInfo } from '../auth/types.ts';
import type { OperatorRef } from '../routing/index.ts';
import type { Handler } from './guard.ts';

export type VisitorSocket = Socket<VisitorClientToServerEvents, VisitorServerToClientEvents>;
export type OperatorSocket = Socket<OperatorClientToServerEvents, OperatorServerToClientEvents>;

type VisitorSchemas = typeof visitorInboundSchemas;
type OperatorSchemas = typeof operatorInboundSchemas & typeof consoleInboundSchemas;

/** Handlers of `/visitor` events, each with its payload as the shared schema parses it. */
export type VisitorHandlers = { [K in keyof VisitorSchemas]?: Handler<z.output<VisitorSchemas[K]>> };
/** Handlers of `/operator` events. */
export type OperatorHandlers = { [K in keyof OperatorSchemas]?: Handler<z.output<OperatorSchemas[K]>> };

/** One visitor socket, as the features that handle its events share it. */
export interface VisitorContext {
  readonly socket: VisitorSocket;
  /** The keyed hash of the client's address bucket: every per-address rule counts under it. */
  readonly addressHash: string;
  /** The keyed hash of the client's network (`networkBucket`: IPv6 /48, IPv4 /24), for the return-code throttle. */
  readonly networkHash: string;
  /** The conversation on this socket, if any. */
  readonly conversationId: string | undefined;
  /** The conversation on this socket; `not_found` when there is none. */
  own(): string;
  /**
   * Puts the socket on a conversation (joins its rooms, counts it present). `floor`: the
   * conversation's return-code floor the socket came in under (`visitorMessageRoom`).
   */
  attach(conversationId: string, floor: string): Promise<void>;
  /**
   * Closes the conversation's other sockets, which are older than this one (a half-dead
   * connection she left behind): this instance's at once, another's when the order reaches it.
   */
  takeOver(conversationId: string): void;
  /** The visitor left on purpose (no disconnect handling); `ended` also takes the conversation off the socket. */
  left(ended: boolean): Promise<void>;
  /** Set while a `chat:start` runs: a second one on the same socket is refused. */
  starting: boolean;
}

/** One operator socket, as the features that handle its events share it. */
export interface OperatorContext {
  readonly socket: OperatorSocket;
  readonly session: SessionInfo;
  readonly op: OperatorRef;
  /** Supervisor or admin, as the role was when the socket connected. */
  readonly supervisor: boolean;
  /** Throws `forbidden` unless the account is a supervisor or admin now (checked in Redis). */
  supervisorOnly(): Promise<void>;
  /** Conversations this socket reads along with. */
  readonly watching: Set<string>;
}

/** A feature's contribution to a namespace: handlers for some of its events. */
export type VisitorFeature = (ctx: VisitorContext) => VisitorHandlers;
export type OperatorFeature = (ctx: OperatorContext) => OperatorHandlers;

/** What each feature plugin registers; the namespaces bind them on every connection. */
export interface SocketFeatures {
  visitor: VisitorFeature[];
  operator: OperatorFeature[];
}

/**
 * Merges the features' handlers for one socket; every event of the namespace must have
 * exactly one handler, so a missing feature fails at the first connection, not silently.
 */
export function mergeHandlers<H extends object>(events: readonly string[], parts: H[]): Required<H> {
  const out: Record<string, unknown> = {};
  for (const part of parts) {
    for (const [event, handler] of Object.entries(part)) {
      if (event in out) throw new Error(`two handlers for ${event}`);
      out[event] = handler;
    }
  }
  const missing = events.filter((e) => !(e in out));
  if (missing.length > 0) throw new Error(`no handler for ${missing.join(', ')}`);
  return out as Required<H>;
}
