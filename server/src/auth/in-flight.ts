/**
 * At most `max` concurrent holders per key, in this process: `enter` answers a release
 * function, or null when the key is at its limit. Keys are dropped at zero, so the map
 * holds only what is in flight right now.
 * @example const release = limit.enter(bucket); if (!release) throw tooMany; try { … } finally { release(); }
 */
export class InFlightLimit {
  readonly #max: number;
  readonly #counts = new Map<string, number>();

  constructor(max: number) {
    this.#max = max;
  }

  enter(key: string): (() => void) | null {
    const n = this.#counts.get(key) ?? 0;
    if (n >= this.#max) return null;
    this.#counts.set(key, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#counts.get(key) ?? 1) - 1;
      if (left <= 0) this.#counts.delete(key);
      else this.#counts.set(key, left);
    };
  }

  /** Keys with something in flight (for tests and metrics). */
  get size(): number {
    return this.#counts.size;
  }
}
