import { randomFillSync } from 'node:crypto';
import sodium from 'libsodium-wrappers-sumo';
import type { DataKeys } from './data-keys.ts';

const VERSION = 'v1';

/**
 * Encryption at rest: XChaCha20-Poly1305 (IETF) under a data key, with the key id in
 * every ciphertext (`v1.<kid>.<base64 nonce|ciphertext>`) so keys can be rotated.
 * `context` (the conversation id) is bound as associated data, so a ciphertext cannot
 * be moved to another conversation.
 */
export class DataCipher {
  readonly #keys: DataKeys;
  readonly #hashKey: Uint8Array;

  private constructor(keys: DataKeys) {
    this.#keys = keys;
    const current = keys.keys.get(keys.currentId)!;
    // A separate subkey for keyed hashes (IP throttling, return codes, tokens).
    this.#hashKey = sodium.crypto_kdf_derive_from_key(32, 1, 'sl-hash_', current);
  }

  static async create(keys: DataKeys): Promise<DataCipher> {
    await sodium.ready;
    return new DataCipher(keys);
  }

  encrypt(plaintext: string, context: string): string {
    const key = this.#keys.keys.get(this.#keys.currentId)!;
    // Node's CSPRNG: libsodium-wrappers' randombytes_buf fills from JS a word at a time
    // and costs ~20x more, which showed as the largest share of the message path.
    const nonce = randomFillSync(new Uint8Array(sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES));
    const ct = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, context, null, nonce, key);
    const out = new Uint8Array(nonce.length + ct.length);
    out.set(nonce, 0);
    out.set(ct, nonce.length);
    return `${VERSION}.${this.#keys.currentId}.${Buffer.from(out).toString('base64')}`;
  }

  decrypt(sealed: string, context: string): string {
    const [version, kid, b64] = sealed.split('.', 3);
    if (version !== VERSION || !kid || !b64) throw new Error('unknown ciphertext format');
    const key = this.#keys.keys.get(kid);
    if (!key) throw new Error('unknown data key id');
    const raw = new Uint8Array(Buffer.from(b64, 'base64'));
    const n = sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
    const pt = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
      null,
      raw.subarray(n),
      context,
      raw.subarray(0, n),
      key,
    );
    return sodium.to_string(pt);
  }

  /** A keyed hash (BLAKE2b) for values that must be matched but never stored: IPs, codes, tokens. */
  keyedHash(value: string, purpose: string): string {
    return Buffer.from(sodium.crypto_generichash(20, `${purpose}\u0000${value}`, this.#hashKey)).toString(
      'base64url',
    );
  }
}
