import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

/**
 * patches/ioredis+5.11.1.patch (patches/README.md says why): the closures ioredis makes for
 * every command are young objects, and pipelines share one hidden class. A child process
 * with V8's natives syntax asks the heap itself. Without the patch the closure and hidden
 * class checks fail; the NOSCRIPT check holds the patched code to ioredis' behaviour.
 */
function probe(): Record<string, unknown> {
  const ioredis = createRequire(import.meta.url).resolve('ioredis');
  const script = `
    const { Redis, Command } = require(${JSON.stringify(ioredis)});
    const Script = require(${JSON.stringify(ioredis.replace(/index\.js$/, 'Script.js'))}).default;
    const out = {};
    const command = new Command('get', ['k']);
    out.commandRejectYoung = %InYoungGeneration(command.reject);
    const lua = new Script('return 1', 0);
    const evalsha = new lua.Command('evalsha', [lua.sha, 0]);
    evalsha.toWritable({});
    out.scriptRejectYoung = %InYoungGeneration(evalsha.reject);
    evalsha.promise.catch((err) => { out.scriptRejected = err.message; });
    evalsha.reject(new Error('NOSCRIPT No matching script'));
    const redis = new Redis({ lazyConnect: true });
    const a = redis.pipeline();
    const b = redis.pipeline();
    a.get('x');
    a.get('y');
    out.pipelineLength = a.length;
    out.ownLength = Object.hasOwn(a, 'length');
    out.pipelinesShareMap = %HaveSameMap(a, b);
    setImmediate(() => { redis.disconnect(); console.log(JSON.stringify(out)); });
  `;
  const stdout = execFileSync(process.execPath, ['--allow-natives-syntax', '-e', script], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

describe('the ioredis patch', () => {
  const out = probe();

  it('allocates the reject closure of a command and of a script command in the young generation', () => {
    expect(out.commandRejectYoung).toBe(true);
    expect(out.scriptRejectYoung).toBe(true);
  });

  it('still rejects a script command with the error, after forgetting the script on NOSCRIPT', () => {
    expect(out.scriptRejected).toBe('NOSCRIPT No matching script');
  });

  it('counts a pipeline by a getter on the prototype, so that pipelines share one hidden class', () => {
    expect(out.pipelineLength).toBe(2);
    expect(out.ownLength).toBe(false);
    expect(out.pipelinesShareMap).toBe(true);
  });
});
