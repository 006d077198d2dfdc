// The login-security columns of a user (two-factor secret, pending enrolment, recovery codes,
// last password change), kept apart from UserRecord so user views and updates never carry them.
import type { AamDb } from '../store/open-store.js';

export interface UserSecurityRecord {
  userId: number;
  /** Base32 TOTP secret once enrolment is confirmed, "" otherwise. */
  totpSecret: string;
  /** Secret of an enrolment waiting for its first code, "" otherwise. */
  totpPending: string;
  /** SHA-256 hex hashes of the unused recovery codes. */
  recoveryCodes: string[];
  /** Unix seconds of the last password change; 0 for users stored before it was recorded. */
  passwordChanged: number;
}

function parseCodes(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

export class UserSecurityRepository {
  constructor(private readonly db: AamDb) {}

  async get(userId: number): Promise<UserSecurityRecord | null> {
    const row = await this.db.user.findUnique({
      where: { id: userId },
      select: { id: true, totpSecret: true, totpPending: true, recoveryCodes: true, passwordChanged: true },
    });
    if (!row) return null;
    return { userId: row.id, totpSecret: row.totpSecret, totpPending: row.totpPending, recoveryCodes: parseCodes(row.recoveryCodes), passwordChanged: row.passwordChanged };
  }

  /** Starts (or restarts) an enrolment: the offered secret and the hashes of fresh recovery codes. */
  async setPending(userId: number, secret: string, codeHashes: readonly string[], now: number): Promise<void> {
    await this.db.user.updateMany({ where: { id: userId }, data: { totpPending: secret, recoveryCodes: JSON.stringify(codeHashes), updated: now } });
  }

  /** Makes the pending secret the active one, if it is still the one the code was checked against. */
  async confirm(userId: number, pending: string, now: number): Promise<boolean> {
    const { count } = await this.db.user.updateMany({
      where: { id: userId, totpPending: pending },
      data: { totpSecret: pending, totpPending: '', smsLogin: true, updated: now },
    });
    return count > 0;
  }

  /** Two-factor off: secret, pending enrolment and recovery codes gone, sms_login false. */
  async clear(userId: number, now: number): Promise<void> {
    await this.db.user.updateMany({ where: { id: userId }, data: { totpSecret: '', totpPending: '', recoveryCodes: '[]', smsLogin: false, updated: now } });
  }

  /** Replaces the recovery codes only if they are still `before`, so a code cannot be spent twice. */
  async replaceRecoveryCodes(userId: number, before: readonly string[], after: readonly string[]): Promise<boolean> {
    const { count } = await this.db.user.updateMany({ where: { id: userId, recoveryCodes: JSON.stringify(before) }, data: { recoveryCodes: JSON.stringify(after) } });
    return count > 0;
  }
}
