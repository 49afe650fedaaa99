import { describe, expect, it } from 'vitest';
import { PeerWatch, reachesLocalSocket } from './adapter.ts';

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

describe('reachesLocalSocket', () => {
  // Each socket is in the room of its own id, as Socket.IO puts it.
  const adapter = {
    rooms: new Map([
      ['tabA', new Set(['tabA'])],
      ['tabB', new Set(['tabB'])],
      ['op:1', new Set(['tabA', 'tabB'])],
      ['op:2', new Set(['tabC'])],
      ['tabC', new Set(['tabC'])],
    ]),
  };
  const reaches = (rooms: string[], except: string[] = []) =>
    reachesLocalSocket(adapter, { rooms: new Set(rooms), except: new Set(except) });

  it('is false when every socket in the rooms is excepted, or the rooms are empty here', () => {
    expect(reaches(['op:2'], ['tabC'])).toBe(false);
    expect(reaches(['op:3'])).toBe(false);
    expect(reaches(['op:3', 'op:2'], ['tabC'])).toBe(false);
  });

  it('is true when one socket is left: another tab, another room, or the whole namespace', () => {
    expect(reaches(['op:1'], ['tabA'])).toBe(true);
    expect(reaches(['op:2', 'op:1'], ['tabC', 'tabA'])).toBe(true);
    expect(reaches(['op:2'])).toBe(true);
    expect(reaches([], ['tabA'])).toBe(true);
    expect(reachesLocalSocket(adapter, { rooms: new Set(['op:1']) })).toBe(true);
  });
});
