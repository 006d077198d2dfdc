import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, hotp, matchTotpStep, newTotpSecret, otpauthUri, totpCode, totpStep } from './totp.js';

// RFC 6238 appendix B: the seeds are ASCII digits, 20/32/64 bytes for SHA-1/256/512.
const seed = (length: number) => Buffer.from('1234567890'.repeat(7).slice(0, length));
const rfc6238: [number, string, string, string][] = [
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
];

describe('TOTP (RFC 6238)', () => {
  it.each(rfc6238)('matches the RFC test vectors at T=%i', (time, sha1, sha256, sha512) => {
    expect(hotp(seed(20), totpStep(time), 8, 'sha1')).toBe(sha1);
    expect(hotp(seed(32), totpStep(time), 8, 'sha256')).toBe(sha256);
    expect(hotp(seed(64), totpStep(time), 8, 'sha512')).toBe(sha512);
    // Six digits (what authenticators show) are the last six of the same number.
    expect(totpCode(base32Encode(seed(20)), time)).toBe(sha1.slice(2));
  });

  it('matches the RFC 4226 HOTP vectors', () => {
    const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
    expect(expected.map((_, counter) => hotp(seed(20), counter))).toEqual(expected);
  });

  it('accepts a code one step either side of now and names its step', () => {
    const secret = newTotpSecret();
    const now = 1_700_000_015;
    const step = totpStep(now);
    for (const offset of [-1, 0, 1]) expect(matchTotpStep(secret, totpCode(secret, now + offset * 30), now)).toBe(step + offset);
    for (const offset of [-2, 2]) {
      const code = totpCode(secret, now + offset * 30);
      // A far-away code can collide with a near one by chance (1 in 10^6 per step); skip that case.
      const near = [-1, 0, 1].map((o) => totpCode(secret, now + o * 30));
      if (!near.includes(code)) expect(matchTotpStep(secret, code, now)).toBeNull();
    }
    expect(matchTotpStep(secret, '12345', now)).toBeNull();
    expect(matchTotpStep(secret, '12345a', now)).toBeNull();
    expect(matchTotpStep(secret, ` ${totpCode(secret, now)}`, now)).toBeNull();
  });

  it('writes the otpauth URI authenticator apps read', () => {
    const uri = otpauthUri('Lynx', 'ann@example.com', 'JBSWY3DPEHPK3PXP');
    expect(uri).toBe('otpauth://totp/Lynx:ann@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Lynx&algorithm=SHA1&digits=6&period=30');
    expect(newTotpSecret()).toMatch(/^[A-Z2-7]{32}$/);
  });
});

describe('base32 (RFC 4648)', () => {
  it.each([
    ['', ''],
    ['f', 'MY======'],
    ['fo', 'MZXQ===='],
    ['foo', 'MZXW6==='],
    ['foob', 'MZXW6YQ='],
    ['fooba', 'MZXW6YTB'],
    ['foobar', 'MZXW6YTBOI======'],
  ])('encodes %j as %j and back', (text, encoded) => {
    expect(base32Encode(Buffer.from(text))).toBe(encoded);
    expect(base32Decode(encoded).toString()).toBe(text);
  });

  it('round-trips every length and byte value', () => {
    for (let length = 0; length <= 40; length++) {
      const data = Buffer.from(Array.from({ length }, (_, i) => (i * 97 + length * 31) & 0xff));
      expect(base32Decode(base32Encode(data)).equals(data)).toBe(true);
    }
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    expect(base32Decode(base32Encode(all)).equals(all)).toBe(true);
  });

  it('reads secrets as people type them and refuses other characters', () => {
    expect(base32Decode('mzxw 6ytb-oi').toString()).toBe('foobar');
    expect(() => base32Decode('MZXW1')).toThrow(/invalid base32 character "1"/);
  });
});
