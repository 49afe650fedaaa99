import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ServerProcess {
  url: string;
  port: number;
  /** Everything the process wrote, for assertions and for debugging a failure. */
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  start(): Promise<void>;
}

/** Runs the real server (`server/src/main.ts`) as its own process, as production does. */
export async function startServerProcess(env: Record<string, string>, port: number): Promise<ServerProcess> {
  let child: ChildProcess | undefined;
  let out = '';
  const start = async () => {
    child = spawn(process.execPath, ['server/src/main.ts'], {
      cwd: root,
      env: {
        ...process.env,
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'warn',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d) => {
      out += String(d);
    });
    child.stderr?.on('data', (d) => {
      out += String(d);
    });
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`server exited: ${out}`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/readyz`);
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`server did not become ready: ${out}`);
  };
  await start();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    output: () => out,
    start,
    stop: async (signal = 'SIGTERM') => {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return c?.exitCode ?? null;
      c.kill(signal);
      const [code] = (await once(c, 'exit')) as [number | null];
      return code;
    },
  };
}
