import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';

/** A logger whose lines land in an array. */
function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { log: createLogger('info', stream), lines };
}

/** An error as ioredis makes one for a refused command: the command, arguments included. */
function redisError(args: string[]): Error {
  return Object.assign(new Error('OOM command not allowed when used memory > maxmemory'), {
    name: 'ReplyError',
    command: { name: 'hset', args },
  });
}

describe('the logger', () => {
  it("keeps a failed Redis command's name and drops its arguments (a password hash, sealed text)", () => {
    const { log, lines } = capture();
    const secret = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA';
    log.error({ err: redisError(['sl:operator:1', 'passwordHash', secret]) }, 'account create failed');
    log.warn(
      { err: new Error('outer', { cause: redisError(['sl:conv:1', 'c', 'v2.k1.sealed']) }) },
      'nested',
    );
    const out = lines.join('');
    expect(out).toContain('"command":{"name":"hset"}');
    expect(out).not.toContain('argon2id');
    expect(out).not.toContain('passwordHash');
    expect(out).not.toContain('v2.k1.sealed');
    expect(out).toContain('OOM command not allowed');
  });

  it("drops a failed MULTI's earlier errors' arguments (ioredis' EXECABORT `previousErrors`)", () => {
    const { log, lines } = capture();
    const err = Object.assign(new Error('EXECABORT Transaction discarded because of previous errors.'), {
      name: 'ReplyError',
      previousErrors: [redisError(['sl:block:addr:H3x', 'conv-1', 'operator-anna'])],
    });
    log.error({ err }, 'block failed');
    const out = lines.join('');
    expect(out).toContain('EXECABORT');
    expect(out).toContain('"name":"hset"');
    for (const s of ['sl:block:addr:H3x', 'conv-1', 'operator-anna']) expect(out).not.toContain(s);
  });

  it("keeps only an error's known fields: not a URL error's input, not a library's request or body", () => {
    const { log, lines } = capture();
    let urlError: unknown;
    try {
      new URL('http://[bad/chat?token=t0k3n-secret');
    } catch (e) {
      urlError = e;
    }
    log.warn({ err: urlError }, 'bad url');
    const lib = Object.assign(new Error('request failed'), {
      code: 'E_LIB',
      body: 'hij slaat me',
      request: { headers: { cookie: 'sl_session=abc' } },
    });
    log.warn({ err: lib }, 'library');
    const out = lines.join('');
    for (const s of ['t0k3n-secret', 'hij slaat me', 'sl_session=abc']) expect(out).not.toContain(s);
    expect(out).toContain('"code":"ERR_INVALID_URL"');
    expect(out).toContain('"code":"E_LIB"');
    expect(out).toContain('request failed');
  });

  it("does not quote the input of a failed JSON.parse, which V8 puts in the error's message", () => {
    const { log, lines } = capture();
    let parseError: unknown;
    try {
      JSON.parse('hij slaat me');
    } catch (e) {
      parseError = e;
    }
    log.warn({ err: new Error('outer', { cause: parseError }) }, 'parse');
    const out = lines.join('');
    expect(out).toContain('SyntaxError');
    expect(out).not.toContain('slaat');
  });

  it("writes no IP address of a network error's message or stack (Redis, a Sentinel, an endpoint)", () => {
    const { log, lines } = capture();
    const refused = (address: string, port: number) =>
      Object.assign(new Error(`connect ECONNREFUSED ${address}:${port}`), {
        code: 'ECONNREFUSED',
        syscall: 'connect',
        address,
        port,
      });
    log.warn({ err: refused('10.20.30.40', 6379) }, 'worker error');
    log.warn({ err: refused('2001:db8:85a3::8a2e:370', 6380) }, 'queue error');
    log.warn({ err: refused('::1', 6381) }, 'queue error');
    // ioredis' Sentinel error quotes the last one in a message of its own, with no field.
    log.warn(
      { err: new Error('All sentinels are unreachable. Last error: connect ECONNREFUSED 192.0.2.9:26379') },
      'redis',
    );
    log.warn({ err: new Error('outer', { cause: refused('::ffff:198.51.100.7', 80) }) }, 'nested');
    const out = lines.join('');
    for (const address of ['10.20.30.40', '2001:db8', '8a2e:370', '::1', '192.0.2.9', '198.51.100.7']) {
      expect(out).not.toContain(address);
    }
    // What went wrong stays: the code, the call, the port.
    expect(out).toContain('ECONNREFUSED');
    expect(out).toContain('All sentinels are unreachable');
    expect(out).toContain(':6379');
    // At the end of a sentence, after an underscore, with a `$&` that would put it back.
    log.warn({ err: new Error('could not reach 10.0.0.5.') }, 'sentence');
    log.warn({ err: new Error('ip_10.0.0.6 $& gone') }, 'underscore');
    expect(lines.slice(-2).join('')).not.toMatch(/10\.0\.0\.[56]/);
    // Linear time on a long run of hex digits and colons (this runs on every error logged).
    const started = performance.now();
    log.warn({ err: new Error(`${'a:'.repeat(20_000)}g`) }, 'long');
    expect(performance.now() - started).toBeLessThan(500);
    // Not an address: a time, a script's line, a Redis reply's words.
    log.warn({ err: new Error('ERR Error running script @user_script:215: at 12:30:45 OOM') }, 'script');
    expect(lines.at(-1)).toContain('@user_script:215: at 12:30:45 OOM');
  });

  it('removes the redacted paths: text, tokens, return codes, addresses, cookies', () => {
    const { log, lines } = capture();
    log.info(
      {
        text: 'hij slaat me',
        token: 't0k',
        returnCode: 'ROOS-12345-MAAN',
        ip: '198.51.100.7',
        cookie: 'sl=1',
      },
      'event',
    );
    const out = lines.join('');
    for (const s of ['hij slaat me', 't0k', 'ROOS-12345-MAAN', '198.51.100.7', 'sl=1'])
      expect(out).not.toContain(s);
    expect(out).toContain('"msg":"event"');
  });
});
