// Token secrets and password hashes. Tokens are 128-bit random values, so SHA-256 is enough to store
// them (and allows lookup by hash); passwords are low-entropy, so they get argon2id.
import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/** 32 hex characters, like Lynx's own keys (spec 1.16). */
export function newTokenSecret(): string {
  return randomBytes(16).toString('hex');
}

export function hashToken(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function newPassword(): string {
  // 18 random bytes in base64url: 24 characters, no ambiguous padding.
  return randomBytes(18).toString('base64url');
}

// @node-rs/argon2's Algorithm is a const enum, which isolatedModules cannot inline: 2 = Argon2id.
const argon2id = 2;

export function hashPassword(password: string): Promise<string> {
  return hash(password, { algorithm: argon2id });
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}
