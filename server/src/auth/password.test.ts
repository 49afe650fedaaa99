import { AppError } from '@stille-lijn/shared/errors';
import { afterAll, describe, expect, it } from 'vitest';
import {
  assertPasswordAcceptable,
  generatePassword,
  hashParameters,
  inPasswordLane,
  PasswordHasher,
} from './password.ts';

describe('generatePassword', () => {
  it('is readable groups without look-alike characters, and never repeats', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const pw = generatePassword();
      expect(pw).toMatch(/^[a-hj-km-np-z2-9]{4}(-[a-hj-km-np-z2-9]{4}){4}$/);
      seen.add(pw);
    }
    expect(seen.size).toBe(200);
  });

  it('carries at least as much entropy as 16 random base64 characters (96 bits)', () => {
    const bits = 20 * Math.log2(31);
    expect(bits).toBeGreaterThanOrEqual(96);
    // Every alphabet character actually occurs (no accidental narrowing).
    const chars = new Set(Array.from({ length: 300 }, generatePassword).join('').replaceAll('-', ''));
    expect(chars.size).toBe(31);
  });

  it('is accepted by the password policy, which refuses short or huge ones', () => {
    expect(() => assertPasswordAcceptable(generatePassword())).not.toThrow();
    expect(() => assertPasswordAcceptable('short')).toThrow(AppError);
    expect(() => assertPasswordAcceptable('x'.repeat(257))).toThrow(AppError);
  });
});

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher();
  afterAll(() => hasher.close());

  it('hashes with Argon2id at the interactive limits and verifies only the right password', async () => {
    const hash = await hasher.hash('correct horse battery');
    expect(hash.startsWith('$argon2id$')).toBe(true);
    expect(hashParameters(hash)).toEqual({ memKiB: 65536, passes: 2 });
    expect(await hasher.verify(hash, 'correct horse battery')).toBe(true);
    expect(await hasher.verify(hash, 'correct horse batterY')).toBe(false);
    expect(await hasher.verify('not a hash', 'x')).toBe(false);
  });

  it('does not block the event loop while hashing', async () => {
    let last = performance.now();
    let maxGap = 0;
    const timer = setInterval(() => {
      const t = performance.now();
      maxGap = Math.max(maxGap, t - last);
      last = t;
    }, 5);
    const started = performance.now();
    await hasher.hash('another password here');
    const took = performance.now() - started;
    clearInterval(timer);
    // Hashing on this thread would stall the timer for the whole hash.
    expect(maxGap).toBeLessThan(took / 2);
  });

  it('spends real work on the dummy verification used for unknown usernames', async () => {
    const fast = new PasswordHasher({ opsLimit: 1, memLimit: 8192 });
    try {
      expect(await fast.verifyDummy('whatever')).toBe(false);
      expect(await fast.verifyDummy('whatever')).toBe(false);
    } finally {
      await fast.close();
    }
  });

  it('refuses work beyond its queue with `unavailable` instead of piling up', async () => {
    const small = new PasswordHasher({ opsLimit: 1, memLimit: 8192, maxQueue: 2 });
    try {
      const jobs = [small.hash('aaaaaaaaaaaa'), small.hash('bbbbbbbbbbbb')];
      await expect(small.hash('cccccccccccc')).rejects.toMatchObject({ code: 'unavailable' });
      await Promise.all(jobs);
    } finally {
      await small.close();
    }
  });

  it('runs priority jobs first, even with the normal lane full, and caps each lane on its own', async () => {
    const h = new PasswordHasher({ opsLimit: 1, memLimit: 8192, maxQueue: 6, maxPriorityQueue: 2 });
    try {
      const hash = await h.hash('the right password');
      const done: string[] = [];
      const track = (name: string, job: Promise<boolean>) =>
        job.then((ok) => {
          done.push(name);
          return ok;
        });
      const normal = Array.from({ length: 6 }, (_, i) => track(`n${i}`, h.verify(hash, 'a wrong password')));
      await expect(h.verify(hash, 'one too many')).rejects.toMatchObject({ code: 'unavailable' });
      const priority = [0, 1].map((i) =>
        track(
          `p${i}`,
          inPasswordLane('priority', () => h.verify(hash, 'the right password')),
        ),
      );
      await expect(inPasswordLane('priority', () => h.verify(hash, 'x'))).rejects.toMatchObject({
        code: 'unavailable',
      });
      // Outside the lane's callback jobs are normal again (and the normal lane is still full).
      await expect(h.verify(hash, 'x')).rejects.toMatchObject({ code: 'unavailable' });
      expect(await Promise.all(priority)).toEqual([true, true]);
      expect(await Promise.all(normal)).toEqual(Array(6).fill(false));
      // Only the (at most two) jobs already handed to the worker finished before them.
      expect(done.slice(0, 4).sort()).toEqual(['n0', 'n1', 'p0', 'p1']);
      // Both lanes take work again once they drained.
      expect(await inPasswordLane('priority', () => h.verify(hash, 'the right password'))).toBe(true);
      expect(await h.verify(hash, 'the right password')).toBe(true);
    } finally {
      await h.close();
    }
  });

  it('gives the normal lane one job after every four priority ones, so a busy priority lane starves nobody', async () => {
    const h = new PasswordHasher({ opsLimit: 1, memLimit: 8192, maxQueue: 8, maxPriorityQueue: 16 });
    try {
      const hash = await h.hash('the right password');
      const done: string[] = [];
      const track = (name: string, job: Promise<boolean>) => job.then(() => done.push(name));
      // Two normal jobs go to the worker at once; the rest wait behind a full priority lane.
      const jobs = [
        ...Array.from({ length: 5 }, (_, i) => track(`n${i}`, h.verify(hash, 'wrong'))),
        ...Array.from({ length: 12 }, (_, i) =>
          track(
            `p${i}`,
            inPasswordLane('priority', () => h.verify(hash, 'wrong')),
          ),
        ),
      ];
      await Promise.all(jobs);
      const lanes = done.map((name) => name[0]).join('');
      // n0 and n1 were handed over first (in either order); then four p, one n, and so on.
      expect(lanes).toBe('nnppppnppppnppppn');
    } finally {
      await h.close();
    }
  });

  it('fails queued jobs of both lanes on close', async () => {
    const h = new PasswordHasher({ opsLimit: 1, memLimit: 8192 });
    const jobs = [
      ...Array.from({ length: 4 }, () => h.hash('some password here')),
      inPasswordLane('priority', () => h.hash('another password')),
    ];
    const settled = Promise.allSettled(jobs);
    await h.close();
    for (const r of await settled) expect(r.status).toBe('rejected');
  });

  it('restarts after close', async () => {
    const h = new PasswordHasher({ opsLimit: 1, memLimit: 8192 });
    await h.hash('first password!');
    await h.close();
    expect(await h.verify(await h.hash('second password'), 'second password')).toBe(true);
    await h.close();
  });
});
