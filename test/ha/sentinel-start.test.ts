import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_DATA_KEY, TEST_HASH_KEY } from '../support/app.ts';
import { freePort } from '../support/redis-server.ts';
import { type SentinelCluster, startSentinelCluster } from './cluster.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Runs a Node entry point to its exit (at most 20 s) and returns its code and output. */
function runToExit(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'warn',
        DATA_KEY: TEST_DATA_KEY,
        HASH_KEY: TEST_HASH_KEY,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += String(d);
    });
    child.stderr.on('data', (d) => {
      stderr += String(d);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')} still ran after 20 s: ${stdout}${stderr}`));
    }, 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('REDIS_SENTINELS at start', () => {
  let cluster: SentinelCluster | undefined;
  afterEach(async () => {
    await cluster?.destroy();
    cluster = undefined;
  });

  it('all Sentinels down: the server, the worker and the operator CLI say so and exit non-zero', async () => {
    const sentinels = `127.0.0.1:${await freePort()},127.0.0.1:${await freePort()}`;
    const env = { REDIS_SENTINELS: sentinels };
    const server = await runToExit(['server/src/main.ts'], env);
    expect(server.code).toBe(1);
    expect(server.stderr).toBe(
      `Stille Lijn failed to start: no Sentinel answers at ${sentinels} (REDIS_SENTINELS)\n`,
    );
    const worker = await runToExit(['server/src/worker.ts'], env);
    expect(worker.code).toBe(1);
    expect(worker.stderr).toBe(
      `Stille Lijn worker failed: no Sentinel answers at ${sentinels} (REDIS_SENTINELS)\n`,
    );
    const cli = await runToExit(['scripts/operator.ts', 'list'], env);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toBe(
      `operator: cannot reach the Redis primary "mymaster" of the Sentinels ${sentinels} (REDIS_SENTINELS).\n`,
    );
  });

  it('Sentinels that know no primary of that name: the server names REDIS_SENTINEL_NAME', async () => {
    cluster = await startSentinelCluster({ replicas: 0, sentinels: 1 });
    const server = await runToExit(['server/src/main.ts'], {
      REDIS_SENTINELS: cluster.sentinelList,
      REDIS_SENTINEL_NAME: 'elsewhere',
    });
    expect(server.code).toBe(1);
    expect(server.stderr).toBe(
      `Stille Lijn failed to start: the Sentinels at ${cluster.sentinelList} know no primary named "elsewhere" (REDIS_SENTINEL_NAME)\n`,
    );
  });

  it('the operator CLI works through the Sentinels', async () => {
    cluster = await startSentinelCluster({ replicas: 1, sentinels: 1 });
    const cli = await runToExit(['scripts/operator.ts', 'list'], { REDIS_SENTINELS: cluster.sentinelList });
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
  });
});
