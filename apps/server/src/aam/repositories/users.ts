import type { AamDb } from '../store/open-store.js';

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
  meta: { key: string; value: string; protected: boolean }[];
}

const include = { organisations: true, installations: true, meta: true } as const;

type Row = Awaited<ReturnType<AamDb['user']['findUniqueOrThrow']>> & {
  organisations: { organizationId: number }[];
  installations: { installationId: number }[];
  meta: { key: string; value: string; protected: boolean }[];
};

function toRecord(row: Row): UserRecord {
  const { organisations, installations, meta, ...rest } = row;
  return {
    ...rest,
    organizationIds: organisations.map((o) => o.organizationId).sort((a, b) => a - b),
    installationIds: installations.map((i) => i.installationId).sort((a, b) => a - b),
    meta: meta.map(({ key, value, protected: p }) => ({ key, value, protected: p })),
  };
}

export type NewUser = Omit<UserRecord, 'id' | 'created' | 'updated' | 'organizationIds' | 'installationIds' | 'meta'> & {
  organizationIds: number[];
  meta?: { key: string; value: string; protected: boolean }[];
};

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

  async count(): Promise<number> {
    return this.db.user.count();
  }

  async create(user: NewUser, now: number): Promise<UserRecord> {
    const { organizationIds, meta, ...fields } = user;
    const row = await this.db.user.create({
      data: {
        ...fields,
        created: now,
        updated: now,
        organisations: { create: organizationIds.map((organizationId) => ({ organizationId })) },
        meta: { create: meta ?? [] },
      },
      include,
    });
    return toRecord(row as Row);
  }
}
