// Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP): HMAC-SHA-1, 6 digits, 30-second
// steps, which is what every authenticator app speaks by default. Base32 (RFC 4648) is written
// here because it is the one format secrets travel in (otpauth:// URIs, manual entry).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 with `=` padding to a multiple of 8 characters. */
export function base32Encode(data: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of data) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  while (out.length % 8 !== 0) out += '=';
  return out;
}

/**
 * Decodes base32, case-insensitive, ignoring padding, spaces and dashes (people type secrets in
 * groups); throws on any other character.
 */
export function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s=-]/g, '').toUpperCase();
  const bytes: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of clean) {
    const index = alphabet.indexOf(ch);
    if (index < 0) throw new Error(`invalid base32 character ${JSON.stringify(ch)}`);
    value = ((value << 5) | index) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}

export const totpStepSeconds = 30;
export const totpDigits = 6;

export function totpStep(unixSeconds: number): number {
  return Math.floor(unixSeconds / totpStepSeconds);
}

/** RFC 4226 HOTP: HMAC over the 8-byte big-endian counter, dynamic truncation, `digits` decimals. */
export function hotp(key: Uint8Array, counter: number, digits = totpDigits, algorithm: 'sha1' | 'sha256' | 'sha512' = 'sha1'): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm, key).update(msg).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The code an authenticator shows at `unixSeconds` for a base32 secret. */
export function totpCode(secretBase32: string, unixSeconds: number): string {
  return hotp(base32Decode(secretBase32), totpStep(unixSeconds));
}

/**
 * The time step a code belongs to, looking one step either side of now (clock drift, the user
 * typing across a step boundary), or null when it matches none.
 */
export function matchTotpStep(secretBase32: string, code: string, unixSeconds: number, window = 1): number | null {
  if (!new RegExp(`^[0-9]{${totpDigits}}$`).test(code)) return null;
  const key = base32Decode(secretBase32);
  const now = totpStep(unixSeconds);
  const given = Buffer.from(code);
  for (let step = now - window; step <= now + window; step++) {
    if (step < 0) continue;
    if (timingSafeEqual(Buffer.from(hotp(key, step)), given)) return step;
  }
  return null;
}

/** 160 random bits, the key size RFC 4226 recommends, as 32 base32 characters (no padding). */
export function newTotpSecret(): string {
  return base32Encode(randomBytes(20));
}

/** The otpauth:// URI authenticator apps read from a QR code (Key Uri Format). */
export function otpauthUri(issuer: string, account: string, secretBase32: string): string {
  // '@' stays readable in the label, as in the format's own examples; apps decode either form.
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account).replace(/%40/g, '@')}`;
  const params = new URLSearchParams({
    secret: secretBase32.replace(/=+$/, ''),
    issuer,
    algorithm: 'SHA1',
    digits: String(totpDigits),
    period: String(totpStepSeconds),
  });
  return `otpauth://totp/${label}?${params.toString()}`;
}
