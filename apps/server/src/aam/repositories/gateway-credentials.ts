import type { AamDb } from '../store/open-store.js';

/** One per installation (spec 1.6); the password is kept only as its SHA-256. */
export interface GatewayCredentialRecord {
  installationId: number;
  username: string;
  passwordHash: string;
  created: number;
}

export class GatewayCredentialsRepository {
  constructor(private readonly db: AamDb) {}

  async findByUsername(username: string): Promise<GatewayCredentialRecord | null> {
    return this.db.gatewayCredential.findUnique({ where: { username } });
  }

  async get(installationId: number): Promise<GatewayCredentialRecord | null> {
    return this.db.gatewayCredential.findUnique({ where: { installationId } });
  }

  /**
   * Puts `record` in place of the installation's credential and returns the username it replaced
   * (null if none); `installationGone` when the installation was deleted in the meantime.
   */
  async replace(record: GatewayCredentialRecord): Promise<{ previous: string | null; installationGone: boolean }> {
    return this.db.$transaction(async (tx) => {
      const installation = await tx.installation.findUnique({ where: { id: record.installationId }, select: { id: true } });
      if (!installation) return { previous: null, installationGone: true };
      const previous = await tx.gatewayCredential.findUnique({ where: { installationId: record.installationId }, select: { username: true } });
      await tx.gatewayCredential.deleteMany({ where: { installationId: record.installationId } });
      await tx.gatewayCredential.create({ data: record });
      return { previous: previous?.username ?? null, installationGone: false };
    });
  }

  /** Removes the installation's credential; returns its username, or null when there was none. */
  async delete(installationId: number): Promise<string | null> {
    return this.db.$transaction(async (tx) => {
      const previous = await tx.gatewayCredential.findUnique({ where: { installationId }, select: { username: true } });
      if (!previous) return null;
      await tx.gatewayCredential.deleteMany({ where: { installationId } });
      return previous.username;
    });
  }
}
