import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod/mini';
import { languages } from './common.ts';
import {
  chatToHostMessages,
  EMBED_VERSION,
  embedLanguages,
  hostToChatMessages,
  isEmbedMessage,
} from './embed.ts';
import { chatToHostMessageSchema, hostToChatMessageSchema } from './embed-schema.ts';

const directions = [
  { name: 'chat → host', spec: chatToHostMessages, schema: chatToHostMessageSchema },
  { name: 'host → chat', spec: hostToChatMessages, schema: hostToChatMessageSchema },
] as const;

/** Values near the valid ones, plus anything at all, as postMessage delivers them (cloned). */
const candidates = fc
  .oneof(
    fc.record(
      {
        sl: fc.constantFrom<unknown>(EMBED_VERSION, 2, '1', null),
        type: fc.constantFrom<unknown>(
          ...Object.keys(chatToHostMessages),
          ...Object.keys(hostToChatMessages),
          'reset',
          'toString',
          '__proto__',
          7,
        ),
        language: fc.constantFrom<unknown>(...embedLanguages, 'xx', 1),
        extra: fc.anything(),
      },
      { requiredKeys: [] },
    ),
    fc.anything(),
  )
  .map((value) => structuredClone(value));

describe('embed messages', () => {
  it('lists the same languages as the protocol', () => {
    expect([...embedLanguages]).toEqual([...languages]);
  });

  for (const { name, spec, schema } of directions) {
    it(`${name}: the compact guard accepts exactly what the zod/mini schema accepts`, () => {
      fc.assert(
        fc.property(candidates, (value) => {
          expect(isEmbedMessage(spec, value)).toBe(z.safeParse(schema, value).success);
        }),
        { numRuns: 3000 },
      );
    });
  }

  it('accepts every declared message and nothing with an extra or inherited key', () => {
    expect(isEmbedMessage(chatToHostMessages, { sl: 1, type: 'quick-exit' })).toBe(true);
    expect(isEmbedMessage(chatToHostMessages, { sl: 1, type: 'language', language: 'ar' })).toBe(true);
    expect(isEmbedMessage(hostToChatMessages, { sl: 1, type: 'quick-exit' })).toBe(true);
    expect(isEmbedMessage(hostToChatMessages, { sl: 1, type: 'minimize' })).toBe(false);
    expect(isEmbedMessage(chatToHostMessages, { sl: 1, type: 'quick-exit', now: true })).toBe(false);
    expect(isEmbedMessage(chatToHostMessages, { sl: 1, type: 'language' })).toBe(false);
    expect(isEmbedMessage(chatToHostMessages, JSON.parse('{"sl":1,"type":"ready","__proto__":{}}'))).toBe(
      false,
    );
    expect(
      isEmbedMessage(chatToHostMessages, Object.assign(Object.create({ x: 1 }), { sl: 1, type: 'ready' })),
    ).toBe(false);
  });
});
