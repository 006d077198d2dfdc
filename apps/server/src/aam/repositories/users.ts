import type { AamDb } from '../store/open-store.js';
import { chunks, toMetaRows, type MetaRow } from './meta.js';

export interface UserRecord {
  id: number;
  email: string;
  passwordHash: string;
  firstName: string;
  lastName: string;
  mobile: string;
  note: string;
  roleId: number | null;
  smsLogin: boolean;
  street: string;
  city: string;
  country: string;
  zip: string;
  expireAt: number;
  created: number;
  updated: number;
  organizationIds: number[];
  installationIds: number[];
  meta: MetaRow[];
}

const include = { organisations: true, installations: true, meta: { orderBy: { key: 'asc' } } } as const;

type Row = Awaited<ReturnType<AamDb['user']['findUniqueOrThrow']>> & {
  organisations: { organizationId: number }[];
  installations: { installationId: number }[];
  meta: MetaRow[];
};

function toRecord(row: Row): UserRecord {
  const { organisations, installations, meta, ...rest } = row;
  return {
    ...rest,
    organizationIds: organisations.map((o) => o.organizationId).sort((a, b) => a - b),
    installationIds: installations.map((i) => i.installationId).sort((a, b) => a - b),
    meta: toMetaRows(meta),
  };
}

export type NewUser = Omit<UserRecord, 'id' | 'created' | 'updated' | 'organizationIds' | 'installationIds' | 'meta'> & {
  organizationIds: number[];
  installationIds?: number[];
  meta?: MetaRow[];
};

export type UserChanges = Partial<Omit<NewUser, 'passwordHash'>>;

export class UsersRepository {
  constructor(private readonly db: AamDb) {}

  async get(id: number): Promise<UserRecord | null> {
    const row = await this.db.user.findUnique({ where: { id }, include });
    return row ? toRecord(row as Row) : null;
  }

  async findByEmail(email: string): Promise<UserRecord | null> {
    const row = await this.db.user.findUnique({ where: { email }, include });
    return row ? toRecord(row as Row) : null;
  }

  /** Users belonging to any of the organizations; `null` means every user. */
  async listInOrganizations(organizationIds: readonly number[] | null): Promise<UserRecord[]> {
    if (organizationIds === null) return (await this.db.user.findMany({ include, orderBy: { id: 'asc' } })).map((r) => toRecord(r as Row));
    const parts = await Promise.all(
      chunks(organizationIds).map((part) => this.db.user.findMany({ where: { organisations: { some: { organizationId: { in: part } } } }, include })),
    );
    const byId = new Map(parts.flat().map((r) => [r.id, toRecord(r as Row)]));
    return [...byId.values()].sort((a, b) => a.id - b.id);
  }

  async count(): Promise<number> {
    return this.db.user.count();
  }

  async create(user: NewUser, now: number): Promise<UserRecord> {
    const { organizationIds, installationIds, meta, ...fields } = user;
    const row = await this.db.user.create({
      data: {
        ...fields,
        created: now,
        updated: now,
        passwordChanged: now,
        organisations: { create: organizationIds.map((organizationId) => ({ organizationId })) },
        installations: { create: (installationIds ?? []).map((installationId) => ({ installationId })) },
        meta: { create: meta ?? [] },
      },
      include,
    });
    return toRecord(row as Row);
  }

  async update(id: number, changes: UserChanges, now: number): Promise<UserRecord> {
    const { organizationIds, installationIds, meta, ...fields } = changes;
    const row = await this.db.user.update({
      where: { id },
      data: {
        ...fields,
        updated: now,
        ...(organizationIds && { organisations: { deleteMany: {}, create: organizationIds.map((organizationId) => ({ organizationId })) } }),
        ...(installationIds && { installations: { deleteMany: {}, create: installationIds.map((installationId) => ({ installationId })) } }),
        ...(meta && { meta: { deleteMany: {}, create: meta } }),
      },
      include,
    });
    return toRecord(row as Row);
  }

  async setPasswordHash(id: number, passwordHash: string, now: number): Promise<void> {
    // passwordChanged is what organization password_valid_days counts from.
    await this.db.user.update({ where: { id }, data: { passwordHash, updated: now, passwordChanged: now } });
  }

  async setMeta(id: number, entry: MetaRow, now: number): Promise<void> {
    await this.db.user.update({ where: { id }, data: { updated: now, meta: { deleteMany: { key: entry.key }, create: entry } } });
  }

  async deleteMeta(id: number, key: string, now: number): Promise<void> {
    await this.db.user.update({ where: { id }, data: { updated: now, meta: { deleteMany: { key } } } });
  }

  /** Tokens, memberships, assignments and meta go with the user (ON DELETE CASCADE). */
  async delete(id: number): Promise<boolean> {
    const { count } = await this.db.user.deleteMany({ where: { id } });
    return count > 0;
  }
}
