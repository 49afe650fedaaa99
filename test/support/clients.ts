import { randomUUID } from 'node:crypto';
import type {
  Language,
  OperatorClientToServerEvents,
  OperatorRole,
  OperatorServerToClientEvents,
  VisitorClientToServerEvents,
  VisitorServerToClientEvents,
} from '@stille-lijn/shared';
import { io, type Socket } from 'socket.io-client';
import type { TestApp } from './app.ts';

export type VisitorSocket = Socket<VisitorServerToClientEvents, VisitorClientToServerEvents>;
export type OperatorSocket = Socket<OperatorServerToClientEvents, OperatorClientToServerEvents>;

/**
 * A visitor socket over a real websocket, connected. `forwardedFor` sends an
 * `X-Forwarded-For` header, as a client behind (or pretending to be behind) a proxy does.
 */
export async function connectVisitor(
  url: string,
  opts: { forwardedFor?: string } = {},
): Promise<VisitorSocket> {
  const s: VisitorSocket = io(`${url}/visitor`, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    ...(opts.forwardedFor ? { extraHeaders: { 'x-forwarded-for': opts.forwardedFor } } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('connect_error', reject);
  });
  return s;
}

export interface TestOperator {
  id: string;
  username: string;
  password: string;
  cookie: string;
}

/** Creates an operator account and logs it in over HTTP, returning the session cookie. */
export async function createOperator(
  t: TestApp,
  opts: {
    role?: OperatorRole;
    languages?: Language[];
    displayName?: string;
    username?: string;
    /** Version 2 (lines): its lines, `['*']` for all. @default the first line */
    lines?: string[];
  } = {},
): Promise<TestOperator> {
  const username = opts.username ?? `op${randomUUID().slice(0, 8)}`;
  const password = `pw-${randomUUID()}`;
  const account = await t.app.operators.create({
    username,
    password,
    role: opts.role ?? 'operator',
    displayName: opts.displayName ?? `Anna ${username}`,
    languages: opts.languages ?? ['nl', 'en'],
    ...(opts.lines ? { lines: opts.lines } : {}),
  });
  const cookie = await login(t.url, username, password);
  return { id: account.id, username, password, cookie };
}

export async function login(url: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status}`);
  const setCookie = res.headers.get('set-cookie') ?? '';
  return setCookie.split(';')[0]!;
}

/**
 * An operator socket with its session cookie; resolves after connect. `before` runs before
 * the socket connects, to listen for what the server sends at once (it may arrive in the
 * same read as the connect, before this promise's continuation runs).
 */
export async function connectOperator(
  url: string,
  cookie: string,
  opts: { before?: (s: OperatorSocket) => void } = {},
): Promise<OperatorSocket> {
  const s: OperatorSocket = io(`${url}/operator`, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    extraHeaders: { cookie },
  });
  opts.before?.(s);
  await new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('connect_error', reject);
  });
  return s;
}

/** Resolves with the next `event` on `socket` (optionally the next matching one), or rejects after `ms`. */
export function nextEvent<T = unknown>(
  socket: Socket,
  event: string,
  opts: { ms?: number; where?: (payload: T) => boolean } = {},
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, handler);
      reject(new Error(`timed out waiting for ${event}`));
    }, opts.ms ?? 15_000);
    const handler = (payload: T) => {
      if (opts.where && !opts.where(payload)) return;
      clearTimeout(timer);
      socket.off(event, handler);
      resolve(payload);
    };
    socket.on(event, handler);
  });
}

/** Collects every payload of `event` on `socket` into an array. */
export function collect<T = unknown>(socket: Socket, event: string): T[] {
  const out: T[] = [];
  socket.on(event, (p: T) => out.push(p));
  return out;
}

/** Emits with an ack and resolves with the ack's answer. */
export function emitAck<R = Record<string, unknown>>(
  socket: Socket,
  event: string,
  payload?: unknown,
): Promise<R> {
  return socket.timeout(15_000).emitWithAck(event, payload) as Promise<R>;
}

export async function waitFor(cond: () => boolean | Promise<boolean>, ms = 5000, step = 20): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, step));
  }
  throw new Error('condition not met in time');
}
