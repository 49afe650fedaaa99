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
