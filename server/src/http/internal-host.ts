import { BlockList, isIP } from 'node:net';

/** Loopback and private address ranges: the deployment's own machine or network. */
const INTERNAL_ADDRESSES = new BlockList();
INTERNAL_ADDRESSES.addSubnet('127.0.0.0', 8, 'ipv4');
INTERNAL_ADDRESSES.addSubnet('10.0.0.0', 8, 'ipv4');
INTERNAL_ADDRESSES.addSubnet('172.16.0.0', 12, 'ipv4');
INTERNAL_ADDRESSES.addSubnet('192.168.0.0', 16, 'ipv4');
INTERNAL_ADDRESSES.addAddress('::1', 'ipv6');
INTERNAL_ADDRESSES.addSubnet('fc00::', 7, 'ipv6'); // unique local addresses

/**
 * A loopback or private address literal, or a single-label name (a service on the
 * deployment's own network, such as `inbox`). An IP literal is judged by its range only:
 * a public IPv6 literal has no dot but is as public as any other host.
 */
export function isInternalHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '');
  const family = isIP(h);
  if (family !== 0) return INTERNAL_ADDRESSES.check(h, family === 4 ? 'ipv4' : 'ipv6');
  return h === 'localhost' || (!h.includes('.') && !h.includes(':'));
}
