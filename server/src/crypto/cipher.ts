import { randomFillSync } from 'node:crypto';
import sodium from 'libsodium-wrappers-sumo';
import type { CipherKeys, DataKeys } from './data-keys.ts';

/**
 * What a ciphertext is bound to (its associated data). A conversation field binds the
 * conversation, the field and, for messages and notes, the sender: a ciphertext cannot be
 * moved to another conversation, from a note into a message, or from visitor to operator.
 * `legacy` is the associated data that format v1 used (the conversation id alone), to read
 * what an earlier release wrote until retention has removed it.
 */
export interface Binding {
  aad: string;
  legacy: string;
}

/** Fields of a conversation that are stored encrypted. */
export type SealedField = 'message' | 'note' | 'tags' | 'risk' | 'acute' | 'signals';

/**
 * Binds a ciphertext to one field of one conversation, and to its sender: `v` (visitor),
 * `s` (system) or `o:<operatorId>`.
 * @example cipher.encrypt(text, fieldBinding(id, 'message', 'v'))
 */
export function fieldBinding(conversationId: string, field: SealedField, sender = ''): Binding {
  return { aad: `sl2\u0000${conversationId}\u0000${field}\u0000${sender}`, legacy: conversationId };
}

/**
 * What a subkey of the data keys is for: libsodium's `crypto_kdf` context (8 bytes). Each
 * purpose has its own, so nothing sealed for one opens as another's.
 * `sl-relay`: Socket.IO payloads between instances (`sockets/sealed-parser.ts`).
 */
export type SubkeyPurpose = 'sl-relay';

/**
 * Why `decrypt` refused a value, as a log line may name it (it never holds the value):
 * `unknown_format` not a ciphertext of ours, `unknown_key` sealed under a data key id that
 * DATA_KEY no longer lists (retired too early), `not_opened` another key or binding, or altered.
 */
export type UnopenedCode = 'unknown_format' | 'unknown_key' | 'not_opened';

/** What `decrypt` throws: the message says what happened, `code` lets callers log it. */
export class UnopenedError extends Error {
  readonly code: UnopenedCode;
  constructor(code: UnopenedCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UnopenedError';
    this.code = code;
  }
}

/** A ciphertext of either format: the version, the key id, base64 (nonce and ciphertext). */
const SEALED = /^v[12]\.([A-Za-z0-9_-]{1,16})\.[A-Za-z0-9+/]+={0,2}$/;

/**
 * The id of the data key a ciphertext was sealed with (`v2.<kid>.…`, release 1's `v1.<kid>.…`),
 * or null when the value is not one: what a key rotation needs to know of a sealed value,
 * without opening it.
 * @example sealedKeyId('v2.k1.AAEC…') // 'k1'
 */
export function sealedKeyId(sealed: string): string | null {
  return SEALED.exec(sealed)?.[1] ?? null;
}

/** Nonces drawn from the CSPRNG at once (see `DataCipher.#nonce`). */
const NONCE_POOL = 256;

/**
 * Encryption at rest: XChaCha20-Poly1305 (IETF) under a data key, with the key id in
 * every ciphertext (`v2.<kid>.<base64 nonce|ciphertext>`) so keys can be rotated. The
 * associated data is the binding (see `fieldBinding`); `v1.` ciphertexts of release 1,
 * bound to the conversation id alone, are still read.
 */
export class DataCipher {
  readonly #keys: DataKeys;
  readonly #hashKey: Uint8Array;
  /** The hash subkeys release 1 derived from the data keys, for lookups of what it stored. */
  readonly #legacyHashKeys: Uint8Array[];

  private constructor(keys: CipherKeys) {
    this.#keys = keys.data;
    this.#hashKey = keys.hash;
    this.#legacyHashKeys = [...keys.data.keys.values()].map((k) =>
      sodium.crypto_kdf_derive_from_key(32, 1, 'sl-hash_', k),
    );
  }

  /**
   * Nonces come from Node's CSPRNG: libsodium-wrappers' randombytes_buf fills from JS a
   * word at a time and costs ~20x more, which showed as the largest share of the message
   * path. They are cut from a pool filled NONCE_POOL at a time: one randomFillSync call
   * per message was still 2.3% of the server's CPU under `npm run bench` (--cpu-prof).
   * Each byte of the pool is used once, and the pool never leaves this object.
   */
  #pool = new Uint8Array(0);
  #poolAt = 0;
  #nonce(): Uint8Array {
    const n = sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
    if (this.#poolAt + n > this.#pool.length) {
      this.#pool = randomFillSync(new Uint8Array(n * NONCE_POOL));
      this.#poolAt = 0;
    }
    const nonce = this.#pool.subarray(this.#poolAt, this.#poolAt + n);
    this.#poolAt += n;
    return nonce;
  }

  static async create(keys: CipherKeys): Promise<DataCipher> {
    await sodium.ready;
    return new DataCipher(keys);
  }

  /** The id of the data key `encrypt` seals with (the first of DATA_KEY). */
  get currentKeyId(): string {
    return this.#keys.currentId;
  }

  /** The ids of every configured data key, the current one first. */
  get keyIds(): string[] {
    return [...this.#keys.keys.keys()];
  }

  /** Seals with the current data key. `binding` is a field binding, or a plain context string. */
  encrypt(plaintext: string, binding: Binding | string): string {
    const aad = typeof binding === 'string' ? binding : binding.aad;
    const key = this.#keys.keys.get(this.#keys.currentId)!;
    const nonce = this.#nonce();
    const ct = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, aad, null, nonce, key);
    const out = new Uint8Array(nonce.length + ct.length);
    out.set(nonce, 0);
    out.set(ct, nonce.length);
    return `v2.${this.#keys.currentId}.${Buffer.from(out).toString('base64')}`;
  }

  /** Opens a ciphertext of any configured key; throws an `UnopenedError` when it does not open. */
  decrypt(sealed: string, binding: Binding | string): string {
    const [version, kid, b64] = sealed.split('.', 3);
    let aad: string;
    if (version === 'v2') aad = typeof binding === 'string' ? binding : binding.aad;
    else if (version === 'v1') aad = typeof binding === 'string' ? binding : binding.legacy;
    else throw new UnopenedError('unknown_format', 'unknown ciphertext format');
    if (!kid || !b64) throw new UnopenedError('unknown_format', 'unknown ciphertext format');
    const key = this.#keys.keys.get(kid);
    if (!key) throw new UnopenedError('unknown_key', 'unknown data key id');
    const raw = new Uint8Array(Buffer.from(b64, 'base64'));
    const n = sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
    let pt: Uint8Array;
    try {
      pt = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
        null,
        raw.subarray(n),
        aad,
        raw.subarray(0, n),
        key,
      );
    } catch (err) {
      throw new UnopenedError('not_opened', 'ciphertext did not open', { cause: err });
    }
    return sodium.to_string(pt);
  }

  /**
   * A subkey of every configured data key for one purpose (`crypto_kdf`, BLAKE2b), under
   * the same key ids: whatever uses them seals with the current one and opens with any, so
   * a DATA_KEY rotation rotates them too. The data keys themselves never leave this object.
   * @example new SealedParser(app.cipher.dataSubkeys('sl-relay'), context)
   */
  dataSubkeys(purpose: SubkeyPurpose): DataKeys {
    const keys = new Map<string, Uint8Array>();
    for (const [id, key] of this.#keys.keys)
      keys.set(id, sodium.crypto_kdf_derive_from_key(32, 1, purpose, key));
    return { currentId: this.#keys.currentId, keys };
  }

  /**
   * A keyed hash (BLAKE2b) under the stable hash key, for values that must be matched but
   * never stored: addresses, codes, tokens.
   */
  keyedHash(value: string, purpose: string): string {
    return hashWith(this.#hashKey, value, purpose);
  }

  /**
   * The same value hashed as release 1 did, under a subkey of each configured data key.
   * Lookups of tokens and codes stored before version 2 try these after `keyedHash`,
   * until retention has removed them.
   */
  legacyKeyedHashes(value: string, purpose: string): string[] {
    return this.#legacyHashKeys.map((k) => hashWith(k, value, purpose));
  }
}

function hashWith(key: Uint8Array, value: string, purpose: string): string {
  return Buffer.from(sodium.crypto_generichash(20, `${purpose}\u0000${value}`, key)).toString('base64url');
}
