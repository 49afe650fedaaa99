import type { SealedReportContent } from '@stille-lijn/shared/domain/report';
import sodium from 'libsodium-wrappers-sumo';

/** X25519 key length of `crypto_box` keys, in bytes. */
export const BOX_KEY_BYTES = 32;

/** Decodes a base64 key and checks its length; throws with a message that never echoes it. */
export function decodeBoxKey(base64: string, what = 'key'): Uint8Array {
  const trimmed = base64.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) throw new Error(`${what} is not base64`);
  const key = Buffer.from(trimmed, 'base64');
  if (key.length !== BOX_KEY_BYTES) throw new Error(`${what} must be ${BOX_KEY_BYTES} bytes (base64)`);
  return new Uint8Array(key);
}

/**
 * Seals the report content to a region's public key with `crypto_box_seal`. Only the
 * holder of the region's private key can open it; the server cannot.
 * @returns the sealed box, base64
 */
export async function sealReport(content: SealedReportContent, publicKey: Uint8Array): Promise<string> {
  await sodium.ready;
  return Buffer.from(sodium.crypto_box_seal(JSON.stringify(content), publicKey)).toString('base64');
}

/** Opens a sealed report with the region's private key (the receiver's side; tests). */
export async function openSealedReport(sealedBase64: string, privateKey: Uint8Array): Promise<unknown> {
  await sodium.ready;
  const publicKey = sodium.crypto_scalarmult_base(privateKey);
  const plain = sodium.crypto_box_seal_open(
    new Uint8Array(Buffer.from(sealedBase64, 'base64')),
    publicKey,
    privateKey,
  );
  return JSON.parse(sodium.to_string(plain));
}

/** A new region key pair, both base64. */
export async function generateRegionKeyPair(): Promise<{ publicKey: string; privateKey: string }> {
  await sodium.ready;
  const pair = sodium.crypto_box_keypair();
  return {
    publicKey: Buffer.from(pair.publicKey).toString('base64'),
    privateKey: Buffer.from(pair.privateKey).toString('base64'),
  };
}

/** The public key (base64) that belongs to a private key. */
export async function publicKeyOf(privateKey: Uint8Array): Promise<string> {
  await sodium.ready;
  return Buffer.from(sodium.crypto_scalarmult_base(privateKey)).toString('base64');
}
