/**
 * Which client addresses may use the mirror: loopback always (this machine), and, when an
 * allow-list is given, only addresses inside one of its networks (`10.0.0.0/8,192.168.1.0/24,fd00::/8`).
 */
import net from 'node:net';
import { ApiError } from '../contract/errors';

export type AllowList = (address: string | undefined) => boolean;

/** `::ffff:10.1.2.3` → `10.1.2.3`, so an IPv4 rule matches a dual-stack socket's address. */
function plain(address: string): string {
  return address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
}

function isLoopback(address: string): boolean {
  return address === '::1' || (net.isIPv4(address) && address.startsWith('127.'));
}

/** Parses `--allow`: comma-separated networks in CIDR form (a bare address is one host). Null list: everyone. */
export function parseAllowList(spec: string | null | undefined): AllowList {
  if (!spec || spec.trim() === '') return () => true;
  const list = new net.BlockList();
  for (const raw of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [addr = '', bitsRaw] = raw.split('/');
    const family = net.isIPv4(addr) ? 'ipv4' : net.isIPv6(addr) ? 'ipv6' : null;
    const bits = bitsRaw === undefined ? (family === 'ipv4' ? 32 : 128) : Number(bitsRaw);
    if (!family || !/^\d{0,3}$/.test(bitsRaw ?? '') || !Number.isInteger(bits) || bits < 0 || bits > (family === 'ipv4' ? 32 : 128))
      throw new ApiError('VALIDATION_FAILED', `--allow: "${raw}" is not a network (like 10.0.0.0/8 or fd00::/8).`);
    list.addSubnet(addr, bits, family);
  }
  return (address) => {
    if (!address) return false;
    const a = plain(address);
    if (isLoopback(a)) return true;
    return list.check(a, net.isIPv4(a) ? 'ipv4' : 'ipv6');
  };
}
