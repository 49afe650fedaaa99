import { randomBytes } from 'node:crypto';
import { normalizeReturnCode } from '@stille-lijn/shared/domain/return-code';
import type { DataCipher } from '../crypto/cipher.ts';
import type { RedisKeys } from '../redis/keys.ts';
import { generateReturnCode } from './return-code.ts';

/** A fresh resume token (never stored: only its keyed hash names a key). */
export const newToken = () => randomBytes(32).toString('base64url');

/**
 * Where a visitor's resume tokens and return codes live: under their keyed hash (the
 * stable hash key), and for release 1's under the data key's.
 */
export class Credentials {
  readonly #cipher: DataCipher;
  readonly #keys: RedisKeys;

  constructor(cipher: DataCipher, keys: RedisKeys) {
    this.#cipher = cipher;
    this.#keys = keys;
  }

  /** Keys a resume token may be stored under: today's hash key, then release 1's. */
  tokenKeys(token: string): string[] {
    const c = this.#cipher;
    return [c.keyedHash(token, 'resume'), ...c.legacyKeyedHashes(token, 'resume')].map((h) =>
      this.#keys.resumeToken(h),
    );
  }

  /** Keys a return code may be stored under (case, spaces and dashes ignored). */
  codeKeys(code: string): string[] {
    const c = this.#cipher;
    const n = normalizeReturnCode(code);
    return [c.keyedHash(n, 'return'), ...c.legacyKeyedHashes(n, 'return')].map((h) =>
      this.#keys.returnCode(h),
    );
  }

  /** The key a new resume token is stored under. */
  tokenKey(token: string): string {
    return this.#keys.resumeToken(this.#cipher.keyedHash(token, 'resume'));
  }

  /** A new return code and the key it would be stored under. */
  newCode(): { code: string; key: string } {
    const code = generateReturnCode();
    return { code, key: this.#keys.returnCode(this.#cipher.keyedHash(normalizeReturnCode(code), 'return')) };
  }
}
