import { describe, expect, it } from 'vitest';
import { PeerWatch } from './adapter.ts';

describe('PeerWatch', () => {
  it('is alone only when Redis counts one instance', async () => {
    const w = new PeerWatch();
    expect(w.alone).toBe(false);
    await w.check(async () => 1);
    expect(w.alone).toBe(true);
    await w.check(async () => 2);
    expect(w.alone).toBe(false);
    await w.check(async () => 0);
    expect(w.alone).toBe(false);
  });

  it('publishes again at a hello, and discards a count asked before the hello arrived', async () => {
    const w = new PeerWatch();
    await w.check(async () => 1);
    w.heardHello();
    expect(w.alone).toBe(false);
    let answer: (n: number) => void = () => {};
    const checking = w.check(() => new Promise<number>((r) => (answer = r)));
    w.heardHello();
    answer(1);
    await checking;
    expect(w.alone).toBe(false);
  });

  it('publishes when the count fails', async () => {
    const w = new PeerWatch();
    await w.check(async () => 1);
    await w.check(async () => {
      throw new Error('Connection is closed.');
    });
    expect(w.alone).toBe(false);
  });
});
