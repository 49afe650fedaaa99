import { describe, expect, it } from 'vitest';
import { addressBucket, networkBucket } from './client-address.ts';

describe('networkBucket', () => {
  it('counts IPv6 per /48, however the address is written', () => {
    const n = networkBucket('2001:db8:1:2:aaaa:bbbb:cccc:dddd');
    expect(n).toBe('2001:db8:1::/48');
    expect(networkBucket('2001:0DB8:0001:ffff::1')).toBe(n);
    expect(networkBucket('[2001:db8:1:2::5]')).toBe(n);
    expect(networkBucket('2001:db8:2::1')).not.toBe(n);
  });

  it('takes an addressBucket() as well as an address', () => {
    expect(networkBucket(addressBucket('2001:db8:1:2::1'))).toBe('2001:db8:1::/48');
    expect(networkBucket(addressBucket('192.0.2.7'))).toBe('192.0.2.0/24');
  });

  it('counts IPv4 per /24, IPv4-mapped IPv6 included', () => {
    expect(networkBucket('192.0.2.7')).toBe('192.0.2.0/24');
    expect(networkBucket('::ffff:192.0.2.200')).toBe('192.0.2.0/24');
    expect(networkBucket('192.0.3.7')).toBe('192.0.3.0/24');
  });

  it('never gives a network the name of an address bucket', () => {
    for (const a of ['192.0.2.0', '2001:db8:1::', '2001:db8:1:2::1'])
      expect(networkBucket(a)).not.toBe(addressBucket(a));
  });

  it('leaves an unparsable value as it is', () => {
    expect(networkBucket('not-an-ip')).toBe('not-an-ip');
    expect(networkBucket('')).toBe('');
  });
});
