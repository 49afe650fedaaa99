import { describe, expect, it } from 'vitest';
import { isAllowedOrigin, isSafeMethod } from './origin.ts';

describe('Origin check', () => {
  const pub = 'https://chat.stillelijn.nl';
  const own = 'http://10.0.0.5:8080';

  it('passes requests without an Origin, and the public or own origin', () => {
    expect(isAllowedOrigin(undefined, pub, own)).toBe(true);
    expect(isAllowedOrigin(pub, pub, own)).toBe(true);
    expect(isAllowedOrigin(own, pub, own)).toBe(true);
  });

  it('refuses any other origin, including look-alikes and "null"', () => {
    expect(isAllowedOrigin('https://evil.example', pub, own)).toBe(false);
    expect(isAllowedOrigin('https://chat.stillelijn.nl.evil.example', pub, own)).toBe(false);
    expect(isAllowedOrigin('http://chat.stillelijn.nl', pub, own)).toBe(false);
    expect(isAllowedOrigin('null', pub, own)).toBe(false);
    expect(isAllowedOrigin('', pub, own)).toBe(false);
  });

  it('treats only GET, HEAD and OPTIONS as safe', () => {
    expect(['GET', 'head', 'OPTIONS'].every(isSafeMethod)).toBe(true);
    expect(['POST', 'PUT', 'PATCH', 'DELETE'].some(isSafeMethod)).toBe(false);
  });
});
