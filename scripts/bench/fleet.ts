/**
 * The bench clients: N visitor and M operator sockets (real socket.io-client over
 * loopback websockets) for one target server, and everything they measure. The same
 * code drives the real server and the bare relay.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { io, type Socket } from 'socket.io-client';
import { cpuSeconds } from './procs.ts';
import { median, type Summary, summarize } from './stats.ts';

type AckRes = { ok: boolean; error?: { code: string; message?: string }; [k: string]: unknown };
type Dir = 'v' | 'o';

/** Length the message texts are padded to. */
export const TEXT_LENGTH = 100;

/** `b:<performance.now()>:<dir><seq>:<conv>:xxx…`, padded to TEXT_LENGTH characters. */
export function messageText(sentAt: number, dir: Dir, seq: number, conv: number): string {
  const head = `b:${sentAt.toFixed(4)}:${dir}${seq}:${conv}:`;
  return head.length >= TEXT_LENGTH ? head : head + 'x'.repeat(TEXT_LENGTH - head.length);
}

/** Parses a bench message text; null for anything else. */
export function parseMessageText(
  text: string,
): { sentAt: number; dir: Dir; seq: number; conv: number } | null {
  const parts = text.split(':');
  if (parts.length < 4 || parts[0] !== 'b') return null;
  const dir = parts[2]?.[0];
  if (dir !== 'v' && dir !== 'o') return null;
  return { sentAt: Number(parts[1]), dir, seq: Number(parts[2]!.slice(1)), conv: Number(parts[3]) };
}

interface VisitorClient {
  idx: number;
  socket: Socket;
  conv: number;
  assignedAt: number;
  operatorName: string;
}

interface OperatorClient {
  idx: number;
  name: string;
  socket: Socket;
  /** performance.now() when this operator last became free: status emitted, or chat:end emitted. */
  freedAt: number;
  statusAckAt: number;
  convs: number[];
}

interface ConvEntry {
  id: string;
  visitor: number;
  operator: number;
  opAssignedAt: number;
  ended: boolean;
}

/** One direction's per-message records, indexed by sequence number. */
class Track {
  sentAt: number[] = [];
  conv: number[] = [];
  recvCount: number[] = [];
  recvAt: number[] = [];
  /** 0 no ack yet, 1 ok, 2 refused. */
  ack: number[] = [];
  ackAt: number[] = [];
  ackErrors = new Map<string, number>();
  misrouted = 0;
  unknown = 0;
  /** Every message before this one is delivered and acked (settle() advances it). */
  settledUpTo = 0;

  add(sentAt: number, conv: number): number {
    const seq = this.sentAt.length;
    this.sentAt.push(sentAt);
    this.conv.push(conv);
    this.recvCount.push(0);
    this.recvAt.push(0);
    this.ack.push(0);
    this.ackAt.push(0);
    return seq;
  }

  onAck(seq: number, res: AckRes | undefined): void {
    this.ackAt[seq] = performance.now();
    if (res?.ok) {
      this.ack[seq] = 1;
    } else {
      this.ack[seq] = 2;
      const code = res?.error?.code ?? 'no-answer';
      this.ackErrors.set(code, (this.ackErrors.get(code) ?? 0) + 1);
    }
  }

  onReceive(now: number, seq: number, conv: number, expectedConv: number): void {
    if (!(seq >= 0 && seq < this.sentAt.length)) {
      this.unknown++;
      return;
    }
    const c = this.recvCount[seq]!;
    this.recvCount[seq] = c + 1;
    if (c === 0) this.recvAt[seq] = now;
    if (conv !== expectedConv || this.conv[seq] !== expectedConv) this.misrouted++;
  }
}

export interface DirectionResult {
  sent: number;
  acked: number;
  ackRefused: number;
  ackMissing: number;
  received: number;
  lost: number;
  duplicates: number;
  misrouted: number;
  latency: Summary;
  ackLatency: Summary;
  /** Messages delivered per second, from the first send to the last delivery. */
  achievedPerS: number;
  /** p99 per window of sends (windowMs), in order. */
  windowP99: number[];
}

export interface StepResult {
  label: string;
  rate: number;
  durationMs: number;
  v2o: DirectionResult;
  o2v: DirectionResult;
  /** Both directions pooled. */
  both: Summary;
  lost: number;
  duplicates: number;
  misrouted: number;
  serverCpuPct: number;
  /** Server CPU seconds (user + system) used during the step, drain included. */
  serverCpuSec: number;
  clientCpuPct: number;
  /**
   * p99 of this (client) process's event-loop delay during the step, ms, beyond the
   * monitor's 5-ms timer (Node's histogram records the whole interval: an idle loop reads 5).
   */
  clientLoopP99Ms: number;
  /** The step met p99 < 100 ms both ways and lost nothing. */
  held: boolean;
}

export interface AssignmentResult {
  /** Conversations measured. */
  n: number;
  /** From the operator's becoming free (status or chat:end emitted) to the visitor's chat:assigned, ms. */
  visitor: Summary;
  /** The same, to the operator's chat:assigned, ms. */
  operator: Summary;
  /** From `operator:status` / `chat:end` emitted to its ack, ms. */
  ack: Summary;
  /** Assignments whose operator-side chat:assigned came before the freeing event's ack (same socket). */
  beforeAck: number;
  /** Visitors told another operator's name than the one whose socket got the conversation. */
  wrongName: number;
  totalMs: number;
}

export interface FleetOptions {
  url: string;
  /** `name=value` cookie per operator (the bare relay reads the name from it). */
  cookies: string[];
  operatorNames: string[];
}

/** The bench client's event-loop monitor interval, ms. */
const LOOP_RESOLUTION_MS = 5;

const connectOpts = { transports: ['websocket'], forceNew: true, reconnection: false, timeout: 20_000 };

/** Connects one socket and resolves once connected. */
export function connectSocket(url: string, extraHeaders?: Record<string, string>): Promise<Socket> {
  const s = io(url, extraHeaders ? { ...connectOpts, extraHeaders } : connectOpts);
  return new Promise((resolve, reject) => {
    s.once('connect', () => resolve(s));
    s.once('connect_error', (err) => {
      s.close();
      reject(err);
    });
  });
}

/** Runs `fn(i)` for i in [0, n), `concurrency` at a time. */
export async function pool(n: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, n)) }, worker));
}

function emitAck(socket: Socket, event: string, payload: unknown, ms = 20_000): Promise<AckRes> {
  return socket.timeout(ms).emitWithAck(event, payload) as Promise<AckRes>;
}

export class Fleet {
  readonly url: string;
  readonly visitors: VisitorClient[] = [];
  readonly operators: OperatorClient[] = [];
  readonly convs: ConvEntry[] = [];
  readonly #convIndex = new Map<string, number>();
  /** chat:assigned seen by an operator before the conversation's chat:start ack. */
  readonly #early = new Map<string, { op: number; at: number }>();
  readonly v2o = new Track();
  readonly o2v = new Track();
  unexpectedDisconnects = 0;
  /** Server pushes seen by the clients: queue snapshots (to operators), queue positions (to visitors). */
  readonly pushes = { snapshots: 0, snapshotEntries: 0, positions: 0 };
  #closing = false;
  readonly #opts: FleetOptions;
  #relayConvs: number[] = [];

  constructor(opts: FleetOptions) {
    this.url = opts.url;
    this.#opts = opts;
  }

  // ---------------------------------------------------------------- connecting

  async connectOperators(): Promise<void> {
    const { cookies, operatorNames } = this.#opts;
    await pool(cookies.length, 10, async (i) => {
      const socket = await connectSocket(`${this.url}/operator`, { cookie: cookies[i]! });
      const op: OperatorClient = {
        idx: i,
        name: operatorNames[i]!,
        socket,
        freedAt: 0,
        statusAckAt: 0,
        convs: [],
      };
      this.operators[i] = op;
      socket.on('disconnect', () => {
        if (!this.#closing) this.unexpectedDisconnects++;
      });
      socket.on('chat:assigned', (p: { conversation: { conversationId: string } }) => {
        const at = performance.now();
        const id = p.conversation.conversationId;
        const ci = this.#convIndex.get(id);
        if (ci === undefined) this.#early.set(id, { op: i, at });
        else this.#opAssigned(ci, i, at);
      });
      socket.on('queue:snapshot', (p: { waiting?: unknown[] }) => {
        this.pushes.snapshots++;
        this.pushes.snapshotEntries += p.waiting?.length ?? 0;
      });
      socket.on('chat:message', (p: { conversationId: string; text: string }) => {
        const now = performance.now();
        const m = parseMessageText(p.text);
        if (m?.dir !== 'v') return;
        this.v2o.onReceive(now, m.seq, m.conv, this.#convIndex.get(p.conversationId) ?? -1);
      });
    });
  }

  /** Connects `n` idle visitor sockets; returns their indices. */
  async connectVisitors(n: number, concurrency = 50): Promise<number[]> {
    const first = this.visitors.length;
    const idxs = Array.from({ length: n }, (_, k) => first + k);
    await pool(n, concurrency, async (k) => {
      const idx = first + k;
      const socket = await connectSocket(`${this.url}/visitor`);
      const v: VisitorClient = { idx, socket, conv: -1, assignedAt: 0, operatorName: '' };
      this.visitors[idx] = v;
      socket.on('disconnect', () => {
        if (!this.#closing) this.unexpectedDisconnects++;
      });
      socket.on('chat:assigned', (p: { operatorName: string }) => {
        v.assignedAt = performance.now();
        v.operatorName = p.operatorName;
      });
      socket.on('queue:position', () => {
        this.pushes.positions++;
      });
      socket.on('chat:message', (p: { text: string; from: string }) => {
        const now = performance.now();
        const m = parseMessageText(p.text);
        if (m?.dir !== 'o') return;
        this.o2v.onReceive(now, m.seq, m.conv, v.conv);
      });
    });
    return idxs;
  }

  /** `chat:start` for these visitors, `concurrency` at a time. */
  async startChats(visitorIdxs: readonly number[], concurrency = 50): Promise<void> {
    await pool(visitorIdxs.length, concurrency, async (k) => {
      const v = this.visitors[visitorIdxs[k]!]!;
      const res = await emitAck(v.socket, 'chat:start', { role: 'victim', language: 'nl' });
      if (!res.ok) throw new Error(`chat:start refused: ${res.error?.code}`);
      const id = String(res.conversationId);
      const ci = this.convs.length;
      this.convs.push({ id, visitor: v.idx, operator: -1, opAssignedAt: 0, ended: false });
      this.#convIndex.set(id, ci);
      v.conv = ci;
      const early = this.#early.get(id);
      if (early) {
        this.#early.delete(id);
        this.#opAssigned(ci, early.op, early.at);
      }
    });
  }

  #opAssigned(ci: number, op: number, at: number): void {
    const c = this.convs[ci]!;
    if (c.operator === op) return; // a resend (reconnect)
    c.operator = op;
    c.opAssignedAt = at;
    this.operators[op]!.convs.push(ci);
  }

  // ---------------------------------------------------------------- assignment

  /**
   * Operators set `operator:status` available one after another, `staggerMs` apart,
   * while every started visitor waits. Resolves when every conversation is assigned.
   */
  async assignAll(staggerMs: number, timeoutMs = 60_000): Promise<AssignmentResult> {
    const measured = this.convs.map((_, i) => i).filter((i) => this.convs[i]!.operator < 0);
    const t0 = performance.now();
    const acks: Promise<void>[] = [];
    for (const op of this.operators) {
      op.freedAt = performance.now();
      acks.push(
        emitAck(op.socket, 'operator:status', { status: 'available' }).then((r) => {
          op.statusAckAt = performance.now();
          if (!r.ok) throw new Error(`operator:status refused: ${r.error?.code}`);
        }),
      );
      if (staggerMs > 0) await sleep(staggerMs);
    }
    await Promise.all(acks);
    await this.#waitAssigned(measured, timeoutMs);
    return this.#assignmentResult(measured, t0);
  }

  async #waitAssigned(convs: readonly number[], timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    const done = () =>
      convs.every((ci) => {
        const c = this.convs[ci]!;
        return c.operator >= 0 && this.visitors[c.visitor]!.assignedAt > 0;
      });
    while (!done()) {
      if (performance.now() > deadline) {
        const missing = convs.filter((ci) => this.convs[ci]!.operator < 0).length;
        const vMissing = convs.filter(
          (ci) => this.visitors[this.convs[ci]!.visitor]!.assignedAt === 0,
        ).length;
        throw new Error(
          `${this.url}: ${missing} conversations unassigned (operator side), ${vMissing} visitors without chat:assigned after ${timeoutMs} ms`,
        );
      }
      await sleep(10);
    }
  }

  #assignmentResult(convs: readonly number[], t0: number): AssignmentResult {
    const vLat: number[] = [];
    const oLat: number[] = [];
    let beforeAck = 0;
    let wrongName = 0;
    const opsSeen = new Set<number>();
    for (const ci of convs) {
      const c = this.convs[ci]!;
      const op = this.operators[c.operator]!;
      const v = this.visitors[c.visitor]!;
      opsSeen.add(op.idx);
      vLat.push(v.assignedAt - op.freedAt);
      oLat.push(c.opAssignedAt - op.freedAt);
      if (c.opAssignedAt < op.statusAckAt) beforeAck++;
      if (v.operatorName !== op.name) wrongName++;
    }
    const ackLat = [...opsSeen].map((i) => this.operators[i]!.statusAckAt - this.operators[i]!.freedAt);
    return {
      n: convs.length,
      visitor: summarize(vLat),
      operator: summarize(oLat),
      ack: summarize(ackLat),
      beforeAck,
      wrongName,
      totalMs: performance.now() - t0,
    };
  }

  /**
   * Capacity freed by `chat:end`: `extra` more visitors start (and wait, if every
   * operator is full), then operators each end one conversation, `staggerMs` apart.
   * Measures from each chat:end emit to the chat:assigned of the visitor that took the
   * freed place. Visitors that fit in free capacity right away are not measured.
   */
  async freeCapacity(extra: number, freeSlots: number, staggerMs: number): Promise<AssignmentResult> {
    const idxs = await this.connectVisitors(freeSlots + extra);
    const firstConv = this.convs.length;
    await this.startChats(idxs, 1);
    const started = this.convs.map((_, i) => i).filter((i) => i >= firstConv);
    // The first `freeSlots` go straight to operators with room.
    const deadline = performance.now() + 10_000;
    while (started.filter((ci) => this.convs[ci]!.operator >= 0).length < freeSlots) {
      if (performance.now() > deadline) throw new Error('free capacity was not filled');
      await sleep(10);
    }
    await sleep(100);
    const waitingConvs = started.filter((ci) => this.convs[ci]!.operator < 0);
    if (waitingConvs.length === 0) throw new Error('no visitor waits: capacity is not full');
    const t0 = performance.now();
    const acks: Promise<void>[] = [];
    const enders = this.operators.slice(0, waitingConvs.length);
    for (const op of enders) {
      const victim = op.convs.find((ci) => !this.convs[ci]!.ended && ci < firstConv);
      if (victim === undefined) continue;
      this.convs[victim]!.ended = true;
      op.freedAt = performance.now();
      acks.push(
        emitAck(op.socket, 'chat:end', { conversationId: this.convs[victim]!.id }).then((r) => {
          op.statusAckAt = performance.now();
          if (!r.ok) throw new Error(`chat:end refused: ${r.error?.code}`);
        }),
      );
      if (staggerMs > 0) await sleep(staggerMs);
    }
    await Promise.all(acks);
    await this.#waitAssigned(waitingConvs, 30_000);
    return this.#assignmentResult(waitingConvs, t0);
  }

  // ---------------------------------------------------------------- relay

  /** Fixes the conversations the relay spreads messages across (those assigned now). */
  freezeRelayConversations(): number {
    this.#relayConvs = this.convs
      .map((_, i) => i)
      .filter((i) => this.convs[i]!.operator >= 0 && !this.convs[i]!.ended);
    return this.#relayConvs.length;
  }

  #sendV(ci: number): void {
    const c = this.convs[ci]!;
    const t = performance.now();
    const seq = this.v2o.add(t, ci);
    this.visitors[c.visitor]!.socket.emit(
      'chat:message',
      { clientMessageId: `v${seq}`, text: messageText(t, 'v', seq, ci) },
      (res: AckRes) => this.v2o.onAck(seq, res),
    );
  }

  #sendO(ci: number): void {
    const c = this.convs[ci]!;
    const t = performance.now();
    const seq = this.o2v.add(t, ci);
    this.operators[c.operator]!.socket.emit(
      'chat:message',
      { conversationId: c.id, clientMessageId: `o${seq}`, text: messageText(t, 'o', seq, ci) },
      (res: AckRes) => this.o2v.onAck(seq, res),
    );
  }

  /**
   * Sends `rate` messages/s each way for `durationMs`, round-robin over the relay
   * conversations, then waits (up to `drainMs`) for every delivery and ack, and scores
   * the step. `serverPid` is probed for CPU time.
   */
  async relayStep(opts: {
    label: string;
    rate: number;
    durationMs: number;
    drainMs: number;
    windowMs?: number;
    serverPid?: number;
  }): Promise<StepResult> {
    const convs = this.#relayConvs;
    if (convs.length === 0) throw new Error('no conversations to relay on');
    const total = Math.max(1, Math.round((opts.rate * opts.durationMs) / 1000));
    const firstV = this.v2o.sentAt.length;
    const firstO = this.o2v.sentAt.length;
    const half = convs.length >> 1;
    const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    loop.enable();
    const cpu0 = process.cpuUsage();
    const srvCpu0 = opts.serverPid ? cpuSeconds(opts.serverPid) : Number.NaN;
    const t0 = performance.now();
    let n = 0;
    while (n < total) {
      const due = Math.min(total, Math.floor(((performance.now() - t0) * opts.rate) / 1000) + 1);
      while (n < due) {
        this.#sendV(convs[(firstV + n) % convs.length]!);
        this.#sendO(convs[(firstO + n + half) % convs.length]!);
        n++;
      }
      if (n < total) await sleep(1);
    }
    await this.#drain(firstV, firstO, total, opts.drainMs);
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const srvCpu = opts.serverPid ? cpuSeconds(opts.serverPid) - srvCpu0 : Number.NaN;
    loop.disable();
    const windowMs = opts.windowMs ?? 2000;
    const v2o = this.#score(this.v2o, firstV, total, t0, windowMs);
    const o2v = this.#score(this.o2v, firstO, total, t0, windowMs);
    const both = summarize([
      ...this.#latencies(this.v2o, firstV, total),
      ...this.#latencies(this.o2v, firstO, total),
    ]);
    const lost = v2o.lost + o2v.lost;
    const bad = lost + v2o.ackRefused + o2v.ackRefused + v2o.ackMissing + o2v.ackMissing;
    return {
      label: opts.label,
      rate: opts.rate,
      durationMs: opts.durationMs,
      v2o,
      o2v,
      both,
      lost,
      duplicates: v2o.duplicates + o2v.duplicates,
      misrouted: v2o.misrouted + o2v.misrouted,
      serverCpuPct: (100 * srvCpu * 1000) / wall,
      serverCpuSec: srvCpu,
      clientCpuPct: (100 * ((cpu.user + cpu.system) / 1000)) / wall,
      clientLoopP99Ms: Math.max(0, loop.percentile(99) / 1e6 - LOOP_RESOLUTION_MS),
      held: bad === 0 && v2o.latency.p99 < 100 && o2v.latency.p99 < 100,
    };
  }

  async #drain(firstV: number, firstO: number, total: number, drainMs: number): Promise<void> {
    const deadline = performance.now() + drainMs;
    let pv = firstV;
    let po = firstO;
    const endV = firstV + total;
    const endO = firstO + total;
    const settled = (t: Track, p: number) => t.recvCount[p]! > 0 && t.ack[p]! !== 0;
    while (performance.now() < deadline) {
      while (pv < endV && settled(this.v2o, pv)) pv++;
      while (po < endO && settled(this.o2v, po)) po++;
      if (pv === endV && po === endO) return;
      await sleep(5);
    }
  }

  /**
   * Waits until every message ever sent has been delivered and acked, up to `maxMs`, so
   * an overloaded step's backlog does not spill into the next step (or the other target's).
   */
  async settle(maxMs: number): Promise<boolean> {
    const deadline = performance.now() + maxMs;
    const pending = (t: Track) => {
      while (
        t.settledUpTo < t.sentAt.length &&
        t.recvCount[t.settledUpTo]! > 0 &&
        t.ack[t.settledUpTo]! !== 0
      ) {
        t.settledUpTo++;
      }
      return t.settledUpTo < t.sentAt.length;
    };
    while (pending(this.v2o) || pending(this.o2v)) {
      if (performance.now() > deadline) return false;
      await sleep(50);
    }
    return true;
  }

  #latencies(t: Track, first: number, total: number): number[] {
    const out: number[] = [];
    for (let s = first; s < first + total; s++) {
      if (t.recvCount[s]! > 0) out.push(t.recvAt[s]! - t.sentAt[s]!);
    }
    return out;
  }

  #score(t: Track, first: number, total: number, t0: number, windowMs: number): DirectionResult {
    let acked = 0;
    let refused = 0;
    let missing = 0;
    let received = 0;
    let duplicates = 0;
    let lastRecv = t0;
    const lat: number[] = [];
    const ackLat: number[] = [];
    const windows: number[][] = [];
    for (let s = first; s < first + total; s++) {
      const a = t.ack[s]!;
      if (a === 1) acked++;
      else if (a === 2) refused++;
      else missing++;
      if (a !== 0) ackLat.push(t.ackAt[s]! - t.sentAt[s]!);
      const c = t.recvCount[s]!;
      if (c > 0) {
        received++;
        duplicates += c - 1;
        const l = t.recvAt[s]! - t.sentAt[s]!;
        lat.push(l);
        const w = Math.floor((t.sentAt[s]! - t0) / windowMs);
        const bucket = windows[w] ?? [];
        bucket.push(l);
        windows[w] = bucket;
        if (t.recvAt[s]! > lastRecv) lastRecv = t.recvAt[s]!;
      }
    }
    const firstSend = t.sentAt[first] ?? t0;
    return {
      sent: total,
      acked,
      ackRefused: refused,
      ackMissing: missing,
      received,
      lost: total - received,
      duplicates,
      misrouted: t.misrouted,
      latency: summarize(lat),
      ackLatency: summarize(ackLat),
      achievedPerS: received / Math.max(1e-3, (lastRecv - firstSend) / 1000),
      windowP99: windows.filter(Boolean).map((w) => summarize(w).p99),
    };
  }

  /** Whole-run integrity: every message ever sent, counted now (late arrivals included). */
  integrity(): {
    sent: number;
    exactlyOnce: number;
    lost: number;
    duplicates: number;
    misrouted: number;
    acked: number;
  } {
    let sent = 0;
    let once = 0;
    let lost = 0;
    let dup = 0;
    let acked = 0;
    for (const t of [this.v2o, this.o2v]) {
      sent += t.sentAt.length;
      for (let s = 0; s < t.sentAt.length; s++) {
        const c = t.recvCount[s]!;
        if (c === 1) once++;
        if (c === 0) lost++;
        if (c > 1) dup += c - 1;
        if (t.ack[s] === 1) acked++;
      }
    }
    return {
      sent,
      exactlyOnce: once,
      lost,
      duplicates: dup,
      misrouted: this.v2o.misrouted + this.o2v.misrouted,
      acked,
    };
  }

  /** Conversation ids that carried relay traffic (for the persistence check). */
  relayConversationIds(): string[] {
    return this.#relayConvs.map((ci) => this.convs[ci]!.id);
  }

  /** Median of the per-window p99s of a step, both directions. */
  static windowP99Median(step: StepResult): number {
    return median([...step.v2o.windowP99, ...step.o2v.windowP99]);
  }

  async close(): Promise<void> {
    this.#closing = true;
    for (const v of this.visitors) v?.socket.close();
    for (const o of this.operators) o?.socket.close();
    await sleep(50);
  }
}
