import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { addressBucket, clientAddress } from './client-address.ts';

function request(peer: string, forwardedFor?: string): IncomingMessage {
  const socket = new Socket();
  Object.defineProperty(socket, 'remoteAddress', { value: peer });
  const req = new IncomingMessage(socket);
  if (forwardedFor !== undefined) req.headers['x-forwarded-for'] = forwardedFor;
  return req;
}

describe('clientAddress', () => {
  it('takes the socket peer without trusted hops, whatever X-Forwarded-For says', () => {
    expect(clientAddress(request('198.51.100.9', '203.0.113.1'), 0)).toBe('198.51.100.9');
  });

  it('takes the entry the trusted proxy appended, never what the client wrote further left', () => {
    // The client wrote "1.1.1.1"; the load balancer appended the address it saw.
    expect(clientAddress(request('10.0.0.2', '1.1.1.1, 203.0.113.5'), 1)).toBe('203.0.113.5');
  });

  it('counts N hops from the right with TRUST_PROXY=N', () => {
    expect(clientAddress(request('10.0.0.3', '1.1.1.1, 203.0.113.5, 10.0.0.2'), 2)).toBe('203.0.113.5');
  });

  it('falls back to the leftmost entry when the header is shorter than the trusted hops', () => {
    expect(clientAddress(request('10.0.0.2', '203.0.113.5'), 3)).toBe('203.0.113.5');
    expect(clientAddress(request('10.0.0.2'), 1)).toBe('10.0.0.2');
  });
});

describe('addressBucket', () => {
  it('keeps an IPv4 address as it is', () => {
    expect(addressBucket('192.0.2.7')).toBe('192.0.2.7');
  });

  it('counts IPv4-mapped IPv6 as the IPv4 address, not as a /64', () => {
    expect(addressBucket('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(addressBucket('::FFFF:c000:0207')).toBe('192.0.2.7');
  });

  it('counts IPv6 per /64, however the address is written', () => {
    const a = addressBucket('2001:db8:1:2:aaaa:bbbb:cccc:dddd');
    expect(a).toBe('2001:db8:1:2::/64');
    expect(addressBucket('2001:0DB8:0001:0002::1')).toBe(a);
    expect(addressBucket('[2001:db8:1:2::5]')).toBe(a);
    expect(addressBucket('2001:db8:1:3::1')).not.toBe(a);
  });

  it('leaves an unparsable value as it is', () => {
    expect(addressBucket('not-an-ip')).toBe('not-an-ip');
  });
});
