import { afterEach, beforeEach, vi } from 'vitest';

// A test that writes to the console fails: output means something unexpected happened.
const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
let calls: string[] = [];

beforeEach(() => {
  calls = [];
  for (const m of methods) {
    vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
      calls.push(`console.${m}: ${args.map(String).join(' ').slice(0, 300)}`);
    });
  }
});

afterEach(() => {
  vi.restoreAllMocks();
  if (calls.length > 0) {
    const found = calls;
    calls = [];
    throw new Error(`Test wrote to the console:\n${found.join('\n')}`);
  }
});
