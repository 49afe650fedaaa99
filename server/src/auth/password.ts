import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes, randomInt } from 'node:crypto';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { AppError } from '@stille-lijn/shared/errors';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '@stille-lijn/shared/rest';

/** Characters of generated passwords: lower case and digits, without look-alikes (i l o 0 1). */
const PASSWORD_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const PASSWORD_GROUPS = 5;
const PASSWORD_GROUP_LENGTH = 4;

/** Shortest password accepted from a person (generated ones are 24 characters); the shared rule. */
export const MIN_PASSWORD_LENGTH = PASSWORD_MIN_LENGTH;
/** Longest password accepted; matches `loginBodySchema` and `passwordChangeBodySchema`. */
export const MAX_PASSWORD_LENGTH = PASSWORD_MAX_LENGTH;

/**
 * A readable one-time password: 5 groups of 4 from a 31-character alphabet, about
 * 99 bits of entropy (more than 16 random base64 characters).
 * @example generatePassword() // 'k7mq-xr4t-bn2w-p9ha-d3fz'
 */
export function generatePassword(): string {
  const groups: string[] = [];
  for (let g = 0; g < PASSWORD_GROUPS; g++) {
    let group = '';
    for (let i = 0; i < PASSWORD_GROUP_LENGTH; i++)
      group += PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)];
    groups.push(group);
  }
  return groups.join('-');
}

/** Throws `invalid_payload` unless the password has an acceptable length. */
export function assertPasswordAcceptable(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
    throw new AppError(
      'invalid_payload',
      `A password must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters long.`,
    );
  }
}

export interface PasswordHasherOptions {
  /** Argon2id passes. @default crypto_pwhash_OPSLIMIT_INTERACTIVE (2) */
  opsLimit?: number;
  /** Argon2id memory in bytes. @default crypto_pwhash_MEMLIMIT_INTERACTIVE (64 MiB) */
  memLimit?: number;
  /** Hash and verify jobs of the normal lane that may wait; more are refused with `unavailable`. @default 64 */
  maxQueue?: number;
  /** The same for the priority lane (`inPasswordLane('priority', …)`). @default 32 */
  maxPriorityQueue?: number;
}

/**
 * The queue a password job waits in. Priority jobs go to the worker before any normal
 * one, so a script that fills the normal lane does not keep out the sign-ins that get
 * priority (an operator at an address she signed in from before).
 */
export type PasswordLane = 'normal' | 'priority';

// The lane follows the request through whatever reaches the hasher (the operator store's
// checkCredentials and changePassword, including the dummy verification), so those keep
// one signature for every caller.
const laneContext = new AsyncLocalStorage<PasswordLane>();

/**
 * Runs `fn` with every password job it starts (hash, verify, verifyDummy, on any
 * `PasswordHasher`) queued in `lane`; jobs started elsewhere are 'normal'.
 * @example const ok = await inPasswordLane('priority', () => operators.checkCredentials(user, pw));
 */
export function inPasswordLane<T>(lane: PasswordLane, fn: () => T): T {
  return laneContext.run(lane, fn);
}

/** An idle hashing worker is stopped after this long, returning its memory. */
const WORKER_IDLE_MS = 60_000;

/**
 * Jobs handed to the worker at once: two keep it busy without a gap between jobs, and
 * leave a priority job behind at most two Argon2id runs. The rest wait in their lane here.
 */
const WORKER_JOBS_IN_FLIGHT = 2;

/**
 * Priority jobs handed to the worker in a row while normal ones wait; then one normal job.
 * Strict priority would let one account signing in (or changing its password) in a loop
 * from its known address keep every new sign-in out; this way the normal lane still gets a
 * fifth of the worker.
 */
const PRIORITY_RUN = 4;

// Runs in a worker thread: libsodium's wasm Argon2id is synchronous and takes a few
// hundred milliseconds, which must not block the event loop that relays messages.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const sodium = require(workerData.sodiumPath);
sodium.ready.then(() => {
  parentPort.on('message', (job) => {
    try {
      const result = job.op === 'hash'
        ? sodium.crypto_pwhash_str(
            job.password,
            workerData.opsLimit ?? sodium.crypto_pwhash_OPSLIMIT_INTERACTIVE,
            workerData.memLimit ?? sodium.crypto_pwhash_MEMLIMIT_INTERACTIVE,
          )
        : sodium.crypto_pwhash_str_verify(job.hash, job.password);
      parentPort.postMessage({ id: job.id, result });
    } catch (err) {
      parentPort.postMessage({ id: job.id, error: String(err && err.message || err) });
    }
  });
  parentPort.postMessage({ ready: true });
});
`;

type Job = { op: 'hash'; password: string } | { op: 'verify'; hash: string; password: string };
interface Pending {
  resolve(value: string | boolean): void;
  reject(err: Error): void;
}
interface Queued extends Pending {
  id: number;
  job: Job;
}
interface WorkerReply {
  id?: number;
  result?: string | boolean;
  error?: string;
  ready?: boolean;
}

/**
 * Argon2id password hashing (`crypto_pwhash_str`) in one lazily started worker thread.
 * Jobs wait here in two lanes, each with its own cap, and go to the worker a few at a
 * time, priority first. The worker keeps the process alive only while a job is pending.
 */
export class PasswordHasher {
  readonly #opsLimit: number | null;
  readonly #memLimit: number | null;
  readonly #caps: Readonly<Record<PasswordLane, number>>;
  #worker: Worker | undefined;
  /** Jobs waiting for the worker, by lane, oldest first. */
  readonly #queued: Record<PasswordLane, Queued[]> = { normal: [], priority: [] };
  /** Jobs pending per lane: waiting here or handed to the worker. */
  readonly #counts: Record<PasswordLane, number> = { normal: 0, priority: 0 };
  /** Jobs handed to the worker, by id. */
  readonly #pending = new Map<number, Pending>();
  /** Priority jobs handed over in a row while normal ones waited. */
  #priorityRun = 0;
  #nextId = 1;
  #dummyHash: Promise<string> | undefined;
  #idleTimer: NodeJS.Timeout | undefined;

  constructor(opts: PasswordHasherOptions = {}) {
    this.#opsLimit = opts.opsLimit ?? null;
    this.#memLimit = opts.memLimit ?? null;
    this.#caps = { normal: opts.maxQueue ?? 64, priority: opts.maxPriorityQueue ?? 32 };
  }

  /** Hashes a password into a self-describing `$argon2id$…` string. */
  async hash(password: string): Promise<string> {
    return (await this.#run({ op: 'hash', password })) as string;
  }

  /** True when `password` matches `hash`; false for a malformed hash. */
  async verify(hash: string, password: string): Promise<boolean> {
    return (await this.#run({ op: 'verify', hash, password })) === true;
  }

  /**
   * Spends the same work as a real verification and returns false: used for unknown
   * usernames so timing does not tell which usernames exist.
   */
  async verifyDummy(password: string): Promise<false> {
    // The first call's own hashing costs about what a verification costs.
    if (!this.#dummyHash) {
      this.#dummyHash = this.hash(randomBytes(18).toString('base64'));
      this.#dummyHash.catch(() => {
        this.#dummyHash = undefined;
      });
      await this.#dummyHash;
      return false;
    }
    await this.verify(await this.#dummyHash, password);
    return false;
  }

  /** Stops the worker; pending jobs fail. A later call starts a new worker. */
  async close(): Promise<void> {
    clearTimeout(this.#idleTimer);
    const w = this.#worker;
    this.#worker = undefined;
    this.#failAll(new Error('password hasher closed'));
    if (w) await w.terminate();
  }

  #run(job: Job): Promise<string | boolean> {
    const lane = laneContext.getStore() ?? 'normal';
    if (this.#counts[lane] >= this.#caps[lane]) {
      return Promise.reject(new AppError('unavailable'));
    }
    clearTimeout(this.#idleTimer);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#counts[lane]++;
      const settle = () => {
        this.#counts[lane]--;
      };
      this.#queued[lane].push({
        id,
        job,
        resolve: (value) => {
          settle();
          resolve(value);
        },
        reject: (err) => {
          settle();
          reject(err);
        },
      });
      this.#feed();
    });
  }

  /**
   * Hands waiting jobs to the worker, up to WORKER_JOBS_IN_FLIGHT: priority first, but one
   * normal job after every PRIORITY_RUN priority ones while normal ones wait.
   */
  #feed(): void {
    while (this.#pending.size < WORKER_JOBS_IN_FLIGHT) {
      const { priority, normal } = this.#queued;
      const normalsTurn = normal.length > 0 && (priority.length === 0 || this.#priorityRun >= PRIORITY_RUN);
      const next = normalsTurn ? normal.shift() : priority.shift();
      if (!next) return;
      this.#priorityRun = normalsTurn || normal.length === 0 ? 0 : this.#priorityRun + 1;
      const worker = this.#ensureWorker();
      this.#pending.set(next.id, next);
      worker.ref();
      worker.postMessage({ id: next.id, ...next.job });
    }
  }

  /** Jobs waiting here or running, of both lanes. */
  get #size(): number {
    return this.#counts.normal + this.#counts.priority;
  }

  #ensureWorker(): Worker {
    if (this.#worker) return this.#worker;
    const sodiumPath = createRequire(import.meta.url).resolve('libsodium-wrappers-sumo');
    const worker = new Worker(workerSource, {
      eval: true,
      workerData: { sodiumPath, opsLimit: this.#opsLimit, memLimit: this.#memLimit },
    });
    worker.on('message', (msg: WorkerReply) => {
      if (msg.id === undefined) return;
      const p = this.#pending.get(msg.id);
      if (!p) return;
      this.#pending.delete(msg.id);
      // Settle first, so that the lane counts and #size no longer hold this job.
      if (msg.error !== undefined) p.reject(new Error(`password hashing failed: ${msg.error}`));
      else p.resolve(msg.result ?? false);
      this.#feed();
      if (this.#size === 0) {
        worker.unref();
        // Argon2id's 64 MiB of wasm memory is not given back while the worker lives.
        clearTimeout(this.#idleTimer);
        this.#idleTimer = setTimeout(() => this.#retire(worker), WORKER_IDLE_MS);
        this.#idleTimer.unref();
      }
    });
    const fail = (err: Error) => {
      // A replaced or closed worker's jobs were already settled.
      if (this.#worker !== worker) return;
      this.#worker = undefined;
      this.#failAll(err);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`password worker exited with code ${code}`)));
    worker.unref();
    this.#worker = worker;
    return worker;
  }

  #retire(worker: Worker): void {
    if (this.#worker !== worker || this.#size > 0) return;
    this.#worker = undefined;
    void worker.terminate();
  }

  #failAll(err: Error): void {
    const pending = [
      ...this.#pending.values(),
      ...this.#queued.priority.splice(0),
      ...this.#queued.normal.splice(0),
    ];
    this.#pending.clear();
    for (const p of pending) p.reject(err);
  }
}

/** Reads the Argon2 parameters of a stored hash (`m` in KiB, `t` passes). */
export function hashParameters(hash: string): { memKiB: number; passes: number } | null {
  const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=\d+\$/.exec(hash);
  return m ? { memKiB: Number(m[1]), passes: Number(m[2]) } : null;
}
