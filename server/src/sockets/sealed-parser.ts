import { randomFillSync } from 'node:crypto';
import sodium from 'libsodium-wrappers-sumo';
import { decode, encode } from 'notepack.io';
import type { DataKeys } from '../crypto/data-keys.ts';

/**
 * The first byte of a sealed payload. MessagePack never uses 0xc1, so no unsealed payload
 * starts with it; nor is it `{`, on which the adapter takes a request for JSON.
 */
const MAGIC = 0xc1;
const FORMAT = 1;
const NONCE_BYTES = 24;
const TAG_BYTES = 16;
/** Nonces drawn from the CSPRNG at once, as `DataCipher` does (crypto/cipher.ts, `#nonce`). */
const NONCE_POOL = 256;

/** A dropped payload is logged at most once per this, per code, with the count since the last line. */
export const DROP_LOG_EVERY_MS = 10_000;

/**
 * Why a payload read from Redis was dropped:
 * - `unsealed`: not sealed at all (an instance of a release before sealing, or anyone
 *   publishing with the Redis password);
 * - `unknown_format`: sealed in a format this release does not know;
 * - `unknown_key`: sealed under a key id not in DATA_KEY;
 * - `not_opened`: the key id is known but it does not open (another key, another
 *   `REDIS_PREFIX`, or changed on the way);
 * - `malformed`: too short, or it opened to something that is not MessagePack.
 */
export type RelayDropCode = 'unsealed' | 'unknown_format' | 'unknown_key' | 'not_opened' | 'malformed';

interface SealingKey {
  /** MAGIC, FORMAT, key id length, key id. */
  header: Buffer;
  /** The context, then the header: a payload opens only under the key and in the deployment it was sealed for. */
  aad: Uint8Array;
  key: Uint8Array;
}

/**
 * The `parser` of the Socket.IO Redis adapter and of the Redis emitter: the adapter's own
 * MessagePack, sealed with XChaCha20-Poly1305 under a subkey of the data keys
 * (`DataCipher.dataSubkeys('sl-relay')`). Every broadcast between instances carries
 * messages, notes and whole conversations; unsealed, anyone with the Redis password read
 * them with one PSUBSCRIBE, without DATA_KEY.
 *
 * A payload is `0xc1 1 <key id length> <key id> <nonce> <ciphertext and tag>`, bound to
 * `context` (the adapter's channel prefix, the same on every channel) and to its header.
 * It is sealed with the current data key's subkey and opened with any configured one, so
 * a rotation that first adds the new key everywhere and then makes it current loses nothing.
 *
 * The adapter and the emitter must use the same parser: the adapters open what the emitter
 * of a worker publishes. Requests and responses that the adapter writes as JSON
 * (`serverSideEmit`, `fetchSockets`, remote join/leave/disconnect) never pass through a
 * parser and are not sealed; they carry ids and room names, no content.
 *
 * @example createAdapter(pub, sub, { key, parser: new SealedParser(keys, key, app.log) })
 */
export class SealedParser {
  readonly #current: SealingKey;
  readonly #byId = new Map<string, SealingKey>();
  readonly #log: { warn(obj: object, msg: string): void };
  readonly #dropped = new Map<RelayDropCode, { count: number; loggedAt: number }>();

  constructor(keys: DataKeys, context: string, log: { warn(obj: object, msg: string): void }) {
    this.#log = log;
    const prefix = Buffer.from(`sl-relay\u0000${context}\u0000`, 'utf8');
    for (const [id, key] of keys.keys) {
      const kid = Buffer.from(id, 'latin1');
      const header = Buffer.concat([Buffer.from([MAGIC, FORMAT, kid.length]), kid]);
      this.#byId.set(id, { header, aad: new Uint8Array(Buffer.concat([prefix, header])), key });
    }
    this.#current = this.#byId.get(keys.currentId)!;
  }

  #pool = new Uint8Array(0);
  #poolAt = 0;
  #nonce(): Uint8Array {
    if (this.#poolAt + NONCE_BYTES > this.#pool.length) {
      this.#pool = randomFillSync(new Uint8Array(NONCE_BYTES * NONCE_POOL));
      this.#poolAt = 0;
    }
    const nonce = this.#pool.subarray(this.#poolAt, this.#poolAt + NONCE_BYTES);
    this.#poolAt += NONCE_BYTES;
    return nonce;
  }

  /** MessagePack, then sealed under the current key. */
  encode(value: unknown): Buffer {
    const { header, aad, key } = this.#current;
    const nonce = this.#nonce();
    const sealed = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(encode(value), aad, null, nonce, key);
    const out = Buffer.allocUnsafe(header.length + NONCE_BYTES + sealed.length);
    out.set(header, 0);
    out.set(nonce, header.length);
    out.set(sealed, header.length + NONCE_BYTES);
    return out;
  }

  /**
   * Opens and decodes a payload. One that does not open is dropped: the answer is `[]`,
   * never a throw. The adapter decodes a broadcast outside any `try`, in ioredis' data
   * handler, where a throw is an uncaught exception that ends the process; and it reads a
   * broadcast as `[uid, packet, opts]`, which it ignores without a packet, as it ignores a
   * request without a `type` and a response without a `requestId`.
   */
  decode(payload: unknown): unknown {
    if (!(payload instanceof Uint8Array) || payload.length < 3 || payload[0] !== MAGIC)
      return this.#drop('unsealed');
    if (payload[1] !== FORMAT) return this.#drop('unknown_format');
    const start = 3 + payload[2]!;
    if (payload.length < start + NONCE_BYTES + TAG_BYTES) return this.#drop('malformed');
    const k = this.#byId.get(Buffer.from(payload.subarray(3, start)).toString('latin1'));
    if (!k) return this.#drop('unknown_key');
    let plain: Uint8Array;
    try {
      plain = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
        null,
        payload.subarray(start + NONCE_BYTES),
        k.aad,
        payload.subarray(start, start + NONCE_BYTES),
        k.key,
      );
    } catch {
      return this.#drop('not_opened');
    }
    try {
      return decode(Buffer.from(plain.buffer, plain.byteOffset, plain.byteLength));
    } catch {
      return this.#drop('malformed');
    }
  }

  /** The code only: what was dropped may be a conversation. */
  #drop(code: RelayDropCode): unknown[] {
    const now = Date.now();
    const d = this.#dropped.get(code) ?? { count: 0, loggedAt: Number.NEGATIVE_INFINITY };
    d.count++;
    if (now - d.loggedAt >= DROP_LOG_EVERY_MS) {
      this.#log.warn({ code, dropped: d.count }, 'a Socket.IO payload from Redis did not open; dropped');
      d.count = 0;
      d.loggedAt = now;
    }
    this.#dropped.set(code, d);
    return [];
  }
}
