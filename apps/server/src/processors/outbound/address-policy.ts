// Which addresses outgoing requests made on a user's behalf (webhooks, edge apps) may reach. An
// on-premise server must talk to the LAN and to itself, so private and loopback ranges stay open;
// closed are the ranges that are never a legitimate webhook target and are the classic SSRF
// prizes: link-local (cloud metadata at 169.254.169.254, fe80::/10), unspecified, multicast and
// broadcast. The check runs on the resolved address at connect time, so DNS cannot rebind past it.
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';

function ipv4Parts(ip: string): number[] | null {
  const parts = ip.split('.').map(Number);
  return parts.length === 4 && parts.every((p) => Number.isInteger(p) && p >= 0 && p <= 255) ? parts : null;
}

function forbiddenIpv4(ip: string): string | null {
  const p = ipv4Parts(ip);
  if (!p) return null;
  if (p[0] === 169 && p[1] === 254) return 'link-local (cloud metadata) addresses';
  if (p[0] === 0) return 'the unspecified network 0.0.0.0/8';
  if (p[0] >= 224 && p[0] <= 239) return 'multicast addresses';
  if (p.every((x) => x === 255)) return 'the broadcast address';
  return null;
}

/** Why `ip` may not be reached, or null when it may. */
export function forbiddenAddressReason(ip: string): string | null {
  const family = isIP(ip);
  if (family === 4) return forbiddenIpv4(ip);
  if (family !== 6) return null;
  const lower = ip.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped) return forbiddenIpv4(mapped[1]);
  if (lower === '::') return 'the unspecified address ::';
  if (/^fe[89ab]/.test(lower)) return 'link-local addresses (fe80::/10)';
  if (lower.startsWith('ff')) return 'multicast addresses';
  // AWS's IPv6 metadata endpoint sits in unique-local space, which is otherwise a LAN range.
  if (lower === 'fd00:ec2::254') return 'cloud metadata addresses';
  return null;
}

export class ForbiddenAddressError extends Error {
  readonly code = 'EADDRFORBIDDEN';
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for node:http(s)/net that refuses forbidden addresses after resolving the name. */
export function guardedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const list = addresses as LookupAddress[];
    for (const a of list) {
      const reason = forbiddenAddressReason(a.address);
      if (reason) return callback(new ForbiddenAddressError(`${hostname} resolves to ${a.address}: requests to ${reason} are not allowed`), []);
    }
    if (options.all) return callback(null, list);
    const first = list[0];
    if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
    callback(null, first.address, first.family);
  });
}

/** Throws when `url`'s host is an address literal the policy refuses (node:net skips `lookup` for those). */
export function assertAllowedLiteral(url: URL): void {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!isIP(host)) return;
  const reason = forbiddenAddressReason(host);
  if (reason) throw new ForbiddenAddressError(`${host}: requests to ${reason} are not allowed`);
}
