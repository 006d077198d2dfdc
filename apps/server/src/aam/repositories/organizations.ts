import type { AamDb } from '../store/open-store.js';

export interface OrganizationRecord {
  id: number;
  name: string;
  parentId: number | null;
  email: string;
  phone: string;
  notes: string;
  street: string;
  city: string;
  country: string;
  zip: string;
  forceSmsLogin: boolean;
  passwordValidDays: number;
  created: number;
  updated: number;
  children: { id: number; name: string }[];
  meta: { key: string; value: string; protected: boolean }[];
}

const include = { children: { select: { id: true, name: true } }, meta: true } as const;

export class OrganizationsRepository {
  constructor(private readonly db: AamDb) {}

  async treeRows(): Promise<{ id: number; parentId: number | null }[]> {
    return this.db.organization.findMany({ select: { id: true, parentId: true } });
  }

  async get(id: number): Promise<OrganizationRecord | null> {
    const row = await this.db.organization.findUnique({ where: { id }, include });
    if (!row) return null;
    return { ...row, meta: row.meta.map(({ key, value, protected: p }) => ({ key, value, protected: p })) };
  }

  async count(): Promise<number> {
    return this.db.organization.count();
  }

  async create(data: { name: string; parentId: number | null }, now: number): Promise<OrganizationRecord> {
    const row = await this.db.organization.create({ data: { ...data, created: now, updated: now }, include });
    return { ...row, meta: [] };
  }
}
