import { describe, expect, it } from 'vitest';
import { postJson } from './post-json.js';
import { assertAllowedLiteral, ForbiddenAddressError, forbiddenAddressReason, guardedLookup } from './address-policy.js';

describe('forbiddenAddressReason', () => {
  it.each([
    ['169.254.169.254', /link-local/],
    ['169.254.0.1', /link-local/],
    ['0.0.0.0', /unspecified/],
    ['224.0.0.1', /multicast/],
    ['255.255.255.255', /broadcast/],
    ['::', /unspecified/],
    ['fe80::1', /link-local/],
    ['FEBF::1', /link-local/],
    ['ff02::1', /multicast/],
    ['::ffff:169.254.169.254', /link-local/],
    ['fd00:ec2::254', /metadata/],
  ])('refuses %s', (ip, reason) => {
    expect(forbiddenAddressReason(ip)).toMatch(reason);
  });

  it.each(['127.0.0.1', '10.1.2.3', '192.168.1.10', '172.16.0.1', '8.8.8.8', '::1', 'fd12::1', '2001:db8::1', '::ffff:10.0.0.1'])(
    'allows %s (loopback, LAN and public stay reachable on-premise)',
    (ip) => {
      expect(forbiddenAddressReason(ip)).toBeNull();
    },
  );
});

describe('guardedLookup', () => {
  const lookup = (host: string, all = false) =>
    new Promise<unknown>((resolve, reject) => guardedLookup(host, { all }, (err, address) => (err ? reject(err) : resolve(address))));

  it('resolves allowed names as node:net expects', async () => {
    await expect(lookup('127.0.0.1')).resolves.toBe('127.0.0.1');
    await expect(lookup('localhost', true)).resolves.toEqual(expect.arrayContaining([expect.objectContaining({ address: expect.any(String) })]));
  });

  it('fails the connection for a name that resolves to a forbidden address', async () => {
    await expect(lookup('169.254.169.254')).rejects.toBeInstanceOf(ForbiddenAddressError);
  });
});

describe('assertAllowedLiteral', () => {
  it('checks address literals, which never reach a lookup', () => {
    expect(() => assertAllowedLiteral(new URL('http://169.254.169.254/latest'))).toThrow(ForbiddenAddressError);
    expect(() => assertAllowedLiteral(new URL('http://[fe80::1]:8080/'))).toThrow(/link-local/);
    expect(() => assertAllowedLiteral(new URL('http://127.0.0.1:8080/'))).not.toThrow();
    expect(() => assertAllowedLiteral(new URL('http://example.test/'))).not.toThrow();
  });
});

describe('postJson', () => {
  it('fails before connecting when the target is forbidden', async () => {
    await expect(postJson(new URL('http://169.254.169.254/latest'), {}, '{}', AbortSignal.timeout(5000))).rejects.toBeInstanceOf(ForbiddenAddressError);
  });
});
