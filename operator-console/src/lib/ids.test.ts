import { idSchema } from '@stille-lijn/shared';
import { describe, expect, it } from 'vitest';
import { newClientMessageId } from './ids.ts';

const uuidV4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newClientMessageId', () => {
  it('is a v4 UUID the server accepts as an id', () => {
    const id = newClientMessageId();
    expect(id).toMatch(uuidV4);
    expect(idSchema.safeParse(id).success).toBe(true);
  });

  it('still works where randomUUID is missing (plain HTTP), and stays unique', () => {
    const insecure = { getRandomValues: (a: Uint8Array) => crypto.getRandomValues(a) };
    const ids = new Set(Array.from({ length: 200 }, () => newClientMessageId(insecure)));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(uuidV4);
  });
});
