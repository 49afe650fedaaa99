import fc from 'fast-check';
import { encode } from 'notepack.io';
import { beforeAll, describe, expect, it } from 'vitest';
import { DataCipher } from '../crypto/cipher.ts';
import { type DataKeys, parseDataKeys } from '../crypto/data-keys.ts';
import { DROP_LOG_EVERY_MS, SealedParser } from './sealed-parser.ts';

const K1 = `k1:${Buffer.alloc(32, 1).toString('base64')}`;
const K2 = `k2:${Buffer.alloc(32, 2).toString('base64')}`;
const CONTEXT = 'tabc:socket.io';
const TEXT = 'Mijn man slaat me';
/** A broadcast as the adapter encodes it: `[uid, packet, opts]`. */
const BROADCAST = [
  'Ab12Cd',
  {
    type: 2,
    nsp: '/operator',
    data: ['chat:message', { conversationId: 'c1', from: 'visitor', text: TEXT }],
  },
  { rooms: ['op:1'], except: [], flags: {} },
];

async function relayKeys(dataKey: string): Promise<DataKeys> {
  const cipher = await DataCipher.create({ data: parseDataKeys(dataKey), hash: new Uint8Array(32).fill(5) });
  return cipher.dataSubkeys('sl-relay');
}

function parser(keys: DataKeys, context = CONTEXT) {
  const logged: object[] = [];
  return { p: new SealedParser(keys, context, { warn: (obj) => logged.push(obj) }), logged };
}

let k1: DataKeys;
let k2k1: DataKeys;
let k2: DataKeys;
beforeAll(async () => {
  k1 = await relayKeys(K1);
  k2k1 = await relayKeys(`${K2},${K1}`);
  k2 = await relayKeys(K2);
});

describe('SealedParser', () => {
  it('round-trips what the adapter publishes, with no text readable in between', () => {
    const { p } = parser(k1);
    const sealed = p.encode(BROADCAST);
    expect(sealed.includes(Buffer.from(TEXT))).toBe(false);
    expect(sealed.includes(Buffer.from('chat:message'))).toBe(false);
    // Never taken for JSON by the adapter, nor for MessagePack by an older release.
    expect(sealed[0]).toBe(0xc1);
    expect(p.decode(sealed)).toEqual(BROADCAST);
  });

  it('derives a subkey: the data key itself does not open it', () => {
    const raw: DataKeys = { currentId: 'k1', keys: new Map([['k1', new Uint8Array(Buffer.alloc(32, 1))]]) };
    const { p, logged } = parser(raw);
    expect(p.decode(parser(k1).p.encode(BROADCAST))).toEqual([]);
    expect(logged).toEqual([{ code: 'not_opened', dropped: 1 }]);
  });

  it('seals with the current key and opens with any configured one, so a rotation loses nothing', () => {
    const old = parser(k1).p;
    const rotated = parser(k2k1).p;
    // Step 1 of a rotation: k2 added after k1 everywhere; k1 still seals.
    expect(rotated.decode(old.encode(BROADCAST))).toEqual(BROADCAST);
    // Step 2: k2 first. What it seals names k2, and an instance with k2 configured opens it.
    const sealed = rotated.encode(BROADCAST);
    expect(sealed.subarray(3, 5).toString()).toBe('k2');
    expect(parser(k2).p.decode(sealed)).toEqual(BROADCAST);
    // An instance that was never given k2 drops it.
    const { p, logged } = parser(k1);
    expect(p.decode(sealed)).toEqual([]);
    expect(logged).toEqual([{ code: 'unknown_key', dropped: 1 }]);
  });

  it('drops what is unsealed, sealed for another deployment, or changed on the way, and logs the code only', () => {
    const { p, logged } = parser(k1);
    expect(p.decode(Buffer.from(encode(BROADCAST)))).toEqual([]);
    expect(p.decode(parser(k1, 'tother:socket.io').p.encode(BROADCAST))).toEqual([]);
    const tampered = p.encode(BROADCAST);
    tampered[tampered.length - 20]! ^= 1;
    expect(p.decode(tampered)).toEqual([]);
    const otherFormat = p.encode(BROADCAST);
    otherFormat[1] = 2;
    expect(p.decode(otherFormat)).toEqual([]);
    expect(p.decode(Buffer.from([0xc1, 1, 2]))).toEqual([]);
    expect(logged).toEqual([
      { code: 'unsealed', dropped: 1 },
      { code: 'not_opened', dropped: 1 },
      { code: 'unknown_format', dropped: 1 },
      { code: 'malformed', dropped: 1 },
    ]);
    expect(JSON.stringify(logged)).not.toContain(TEXT);
  });

  it(`logs a flood of drops once per code per ${DROP_LOG_EVERY_MS / 1000} s`, () => {
    const { p, logged } = parser(k1);
    for (let i = 0; i < 1000; i++) p.decode(Buffer.from(encode(BROADCAST)));
    expect(logged).toEqual([{ code: 'unsealed', dropped: 1 }]);
  });

  it('never throws on what Redis hands it: the adapter decodes a broadcast outside any try', () => {
    const { p } = parser(k1);
    const sealed = p.encode(BROADCAST);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          // A sealed payload cut short or with bytes changed.
          fc.tuple(fc.nat(sealed.length), fc.nat(255)).map(([at, b]) => {
            const copy = Buffer.from(sealed);
            copy[at] = b;
            return copy.subarray(0, Math.max(at, 1));
          }),
        ),
        (bytes) => {
          const out = p.decode(Buffer.from(bytes));
          // What does not open is `[]`: the adapter then ignores it.
          if (Array.isArray(out) && out.length === 0) return;
          expect(out).toEqual(BROADCAST);
        },
      ),
    );
  });
});
