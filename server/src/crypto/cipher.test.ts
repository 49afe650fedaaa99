import sodium from 'libsodium-wrappers-sumo';
import { beforeAll, describe, expect, it } from 'vitest';
import { DataCipher, fieldBinding } from './cipher.ts';
import { parseDataKeys } from './data-keys.ts';

const K1 = `k1:${Buffer.alloc(32, 1).toString('base64')}`;
const K2 = `k2:${Buffer.alloc(32, 2).toString('base64')}`;
const HASH = new Uint8Array(32).fill(5);
let cipher: DataCipher;

beforeAll(async () => {
  cipher = await DataCipher.create({ data: parseDataKeys(K1), hash: HASH });
});

/** What release 1 wrote: v1, the conversation id alone as associated data. */
function releaseOneSeal(plaintext: string, conversationId: string): string {
  const key = new Uint8Array(Buffer.alloc(32, 1));
  const nonce = new Uint8Array(24).fill(4);
  const ct = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, conversationId, null, nonce, key);
  return `v1.k1.${Buffer.concat([nonce, ct]).toString('base64')}`;
}

describe('DataCipher', () => {
  it('binds a ciphertext to its conversation, field and sender', () => {
    const sealed = cipher.encrypt('hallo', fieldBinding('c1', 'message', 'v'));
    expect(sealed).toMatch(/^v2\.k1\./);
    expect(cipher.decrypt(sealed, fieldBinding('c1', 'message', 'v'))).toBe('hallo');
    expect(() => cipher.decrypt(sealed, fieldBinding('c2', 'message', 'v'))).toThrow();
    expect(() => cipher.decrypt(sealed, fieldBinding('c1', 'note', 'v'))).toThrow();
    expect(() => cipher.decrypt(sealed, fieldBinding('c1', 'message', 'o:op1'))).toThrow();
  });

  it('still reads what release 1 sealed, bound to the conversation only', () => {
    const old = releaseOneSeal('van vroeger', 'c1');
    expect(cipher.decrypt(old, fieldBinding('c1', 'message', 'v'))).toBe('van vroeger');
    expect(cipher.decrypt(old, fieldBinding('c1', 'note', 'o:x'))).toBe('van vroeger');
    expect(() => cipher.decrypt(old, fieldBinding('c2', 'message', 'v'))).toThrow();
  });

  it('never uses a nonce twice, across refills of its nonce pool', () => {
    const nonces = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const sealed = cipher.encrypt('zelfde tekst', 'ctx');
      expect(cipher.decrypt(sealed, 'ctx')).toBe('zelfde tekst');
      const raw = Buffer.from(sealed.split('.')[2]!, 'base64');
      nonces.add(raw.subarray(0, sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES).toString('hex'));
    }
    expect(nonces.size).toBe(1000);
  });

  it('seals with the first data key and opens with any configured one', async () => {
    const rotated = await DataCipher.create({ data: parseDataKeys(`${K2},${K1}`), hash: HASH });
    const before = cipher.encrypt('x', 'ctx');
    expect(rotated.decrypt(before, 'ctx')).toBe('x');
    expect(rotated.encrypt('y', 'ctx')).toMatch(/^v2\.k2\./);
  });

  it('keeps keyed hashes when the data key rotates, and finds release 1 hashes under every data key', async () => {
    const rotated = await DataCipher.create({ data: parseDataKeys(`${K2},${K1}`), hash: HASH });
    expect(rotated.keyedHash('token', 'resume')).toBe(cipher.keyedHash('token', 'resume'));
    // Release 1 derived the hash key from the current data key.
    const legacy = Buffer.from(
      sodium.crypto_generichash(
        20,
        'resume\u0000token',
        sodium.crypto_kdf_derive_from_key(32, 1, 'sl-hash_', new Uint8Array(Buffer.alloc(32, 1))),
      ),
    ).toString('base64url');
    expect(rotated.legacyKeyedHashes('token', 'resume')).toContain(legacy);
    expect(rotated.keyedHash('token', 'resume')).not.toBe(legacy);
  });
});
