import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';
import ipaddr from 'ipaddr.js';

/**
 * The trust function for `TRUST_PROXY=N`: the socket's peer and the N-1 entries of
 * `X-Forwarded-For` nearest to it are our own proxies. Fastify 5 reads a plain number
 * as "trust nothing" and `true` as "trust everything" (the leftmost entry, which the
 * client writes itself), so both HTTP and Socket.IO use this function instead.
 * @example trustHops(1)('10.0.0.2', 0) // true: the load balancer
 */
export function trustHops(hops: number): (address: string, index: number) => boolean {
  return (_address, index) => index < hops;
}

/**
 * The client address as our proxies saw it: with `hops` > 0 the hops-th entry of
 * `X-Forwarded-For` from the right (or the leftmost when the header is shorter, as
 * proxy-addr does), else the socket's peer. Only ever hashed, never stored or logged.
 */
export function clientAddress(req: IncomingMessage, hops: number): string {
  if (hops <= 0) return req.socket.remoteAddress ?? '';
  const all = proxyAddr.all(req, trustHops(hops));
  return all[all.length - 1] ?? req.socket.remoteAddress ?? '';
}

/**
 * The unit every per-address rule counts in: an IPv4 address as it is (IPv4-mapped
 * IPv6 included), an IPv6 address by its /64, which is what one household or phone
 * gets. Anything unparsable counts as itself.
 * @example addressBucket('::ffff:192.0.2.7') // '192.0.2.7'
 * @example addressBucket('2001:db8:1:2:aaaa::1') // '2001:db8:1:2::/64'
 */
export function addressBucket(address: string): string {
  const raw = address
    .trim()
    .replace(/^\[|\]$/g, '')
    .replace(/%.*$/, '');
  if (!ipaddr.isValid(raw)) return raw;
  const parsed = ipaddr.parse(raw);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const v6 = parsed as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address().toString();
  const parts = v6.toNormalizedString().split(':').slice(0, 4);
  return `${ipaddr.IPv6.parse(`${parts.join(':')}::`).toString()}/64`;
}

/**
 * The wider unit the return-code throttle counts in beside `addressBucket()`: an IPv6
 * address by its /48, which a tunnel broker hands out for free (65,536 /64s) and which is
 * one site of a provider's customer; an IPv4 address by its /24, the smallest block sold
 * or rented as a whole (IPv4-mapped IPv6 included). Takes an address or an
 * `addressBucket()`. Anything unparsable counts as itself.
 * @example networkBucket('2001:db8:1:2:aaaa::1') // '2001:db8:1::/48'
 * @example networkBucket('2001:db8:1:2::/64') // '2001:db8:1::/48'
 * @example networkBucket('::ffff:192.0.2.7') // '192.0.2.0/24'
 */
export function networkBucket(address: string): string {
  const raw = address
    .trim()
    .replace(/^\[|\]$/g, '')
    .replace(/%.*$/, '')
    .replace(/\/\d+$/, '');
  if (!ipaddr.isValid(raw)) return raw;
  const parsed = ipaddr.parse(raw);
  const v4 =
    parsed.kind() === 'ipv4'
      ? (parsed as ipaddr.IPv4)
      : (parsed as ipaddr.IPv6).isIPv4MappedAddress()
        ? (parsed as ipaddr.IPv6).toIPv4Address()
        : undefined;
  if (v4) return `${v4.octets.slice(0, 3).join('.')}.0/24`;
  const parts = (parsed as ipaddr.IPv6).toNormalizedString().split(':').slice(0, 3);
  return `${ipaddr.IPv6.parse(`${parts.join(':')}::`).toString()}/48`;
}
