import type { AamDb } from '../store/open-store.js';

export interface TokenRecord {
  id: number;
  userId: number;
  type: string;
  name: string;
  created: number;
  expire: number;
  sessionTimeout: number;
  lastUsed: number;
  permissions: string[] | null;
  agent: string;
}

type Row = Omit<TokenRecord, 'permissions'> & { permissions: string | null; tokenHash?: string };

function toRecord(row: Row): TokenRecord {
  const { tokenHash: _hash, ...rest } = row;
  return { ...rest, permissions: row.permissions === null ? null : (JSON.parse(row.permissions) as string[]) };
}

export class TokensRepository {
  constructor(private readonly db: AamDb) {}

  async create(data: Omit<TokenRecord, 'id' | 'lastUsed'> & { tokenHash: string }): Promise<TokenRecord> {
    const row = await this.db.apiToken.create({
      data: { ...data, permissions: data.permissions === null ? null : JSON.stringify(data.permissions) },
    });
    return toRecord(row);
  }

  async findByHash(tokenHash: string): Promise<TokenRecord | null> {
    const row = await this.db.apiToken.findUnique({ where: { tokenHash } });
    return row ? toRecord(row) : null;
  }

  async listForUser(userId: number): Promise<TokenRecord[]> {
    const rows = await this.db.apiToken.findMany({ where: { userId }, orderBy: { id: 'asc' } });
    return rows.map(toRecord);
  }

  /** Tokens that may have ended: an expiry passed, or a session timeout set (checked by the caller). */
  async listEndingCandidates(now: number): Promise<TokenRecord[]> {
    const rows = await this.db.apiToken.findMany({
      where: { OR: [{ expire: { gt: 0, lte: now } }, { sessionTimeout: { gt: 0 } }] },
      orderBy: { id: 'asc' },
    });
    return rows.map(toRecord);
  }

  async get(id: number): Promise<TokenRecord | null> {
    const row = await this.db.apiToken.findUnique({ where: { id } });
    return row ? toRecord(row) : null;
  }

  async touch(id: number, lastUsed: number, agent: string): Promise<void> {
    await this.db.apiToken.updateMany({ where: { id }, data: { lastUsed, agent } });
  }

  /** Changes a token's type only if it still has `from` (a restricted login becoming a full one). */
  async changeType(id: number, from: string, to: string): Promise<boolean> {
    const { count } = await this.db.apiToken.updateMany({ where: { id, type: from }, data: { type: to } });
    return count > 0;
  }

  async delete(id: number): Promise<boolean> {
    const { count } = await this.db.apiToken.deleteMany({ where: { id } });
    return count > 0;
  }

  /** Deletes a user's tokens of some types (all when omitted) except one; returns the ids deleted. */
  async deleteForUser(userId: number, opts: { type?: string | readonly string[]; except?: number } = {}): Promise<number[]> {
    const type = typeof opts.type === 'string' ? opts.type : opts.type && { in: [...opts.type] };
    const where = { userId, ...(type !== undefined && { type }), ...(opts.except !== undefined && { id: { not: opts.except } }) };
    return this.db.$transaction(async (tx) => {
      const ids = (await tx.apiToken.findMany({ where, select: { id: true } })).map((t) => t.id);
      await tx.apiToken.deleteMany({ where });
      return ids;
    });
  }
}
