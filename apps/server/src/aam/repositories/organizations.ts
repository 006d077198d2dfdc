import type { AamDb } from '../store/open-store.js';
import { chunks, metaInclude, toMetaRows, type MetaRow } from './meta.js';

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
  meta: MetaRow[];
}

export type OrganizationFields = Omit<OrganizationRecord, 'id' | 'created' | 'updated' | 'children' | 'meta'>;

export interface OrganizationChanges extends Partial<OrganizationFields> {
  meta?: MetaRow[];
}

/** What a forced delete took with it, for the caches and events the service keeps current. */
export interface DeletedSubtree {
  installations: { id: number; clientId: number }[];
  /** Users who belonged only to deleted organizations, deleted with their tokens. */
  users: { id: number; tokenIds: number[] }[];
  /** Users who lost a membership but still belong elsewhere. */
  detachedUserIds: number[];
}

const include = { children: { select: { id: true, name: true }, orderBy: { id: 'asc' } }, ...metaInclude } as const;

type Row = Omit<OrganizationRecord, 'meta'> & { meta: MetaRow[] };

function toRecord(row: Row): OrganizationRecord {
  return { ...row, meta: toMetaRows(row.meta) };
}

export class OrganizationsRepository {
  constructor(private readonly db: AamDb) {}

  async treeRows(): Promise<{ id: number; parentId: number | null }[]> {
    return this.db.organization.findMany({ select: { id: true, parentId: true } });
  }

  async get(id: number): Promise<OrganizationRecord | null> {
    const row = await this.db.organization.findUnique({ where: { id }, include });
    return row ? toRecord(row) : null;
  }

  /** Sliced so `IN (...)` stays below SQLite's bound-parameter limit. */
  async list(ids: readonly number[]): Promise<OrganizationRecord[]> {
    const parts = await Promise.all(chunks(ids).map((part) => this.db.organization.findMany({ where: { id: { in: part } }, include })));
    return parts.flat().map(toRecord).sort((a, b) => a.id - b.id);
  }

  async count(): Promise<number> {
    return this.db.organization.count();
  }

  async create(data: Partial<OrganizationFields> & { name: string; parentId: number | null; meta?: MetaRow[] }, now: number): Promise<OrganizationRecord> {
    const { meta, ...fields } = data;
    const row = await this.db.organization.create({ data: { ...fields, created: now, updated: now, meta: { create: meta ?? [] } }, include });
    return toRecord(row);
  }

  async update(id: number, changes: OrganizationChanges, now: number): Promise<OrganizationRecord> {
    const { meta, ...fields } = changes;
    const row = await this.db.organization.update({
      where: { id },
      data: { ...fields, updated: now, ...(meta && { meta: { deleteMany: {}, create: meta } }) },
      include,
    });
    return toRecord(row);
  }

  async setMeta(id: number, entry: MetaRow, now: number): Promise<void> {
    await this.db.organization.update({ where: { id }, data: { updated: now, meta: { deleteMany: { key: entry.key }, create: entry } } });
  }

  async deleteMeta(id: number, key: string, now: number): Promise<void> {
    await this.db.organization.update({ where: { id }, data: { updated: now, meta: { deleteMany: { key } } } });
  }

  async memberCount(id: number): Promise<number> {
    return this.db.userOrganization.count({ where: { organizationId: id } });
  }

  /**
   * Deletes the organizations (given leaf first, since a parent may not go before its children),
   * their installations with devices and functions, and the users left without any organization.
   */
  async deleteSubtree(leafFirst: readonly number[]): Promise<DeletedSubtree> {
    const orgSet = new Set(leafFirst);
    return this.db.$transaction(async (tx) => {
      // One query at a time: a transaction holds a single connection.
      const inSlices = async <T>(ids: readonly number[], query: (part: number[]) => Promise<T[]>): Promise<T[]> => {
        const out: T[] = [];
        for (const part of chunks(ids)) out.push(...(await query(part)));
        return out;
      };
      const installations = await inSlices(leafFirst, (part) =>
        tx.installation.findMany({ where: { organizationId: { in: part } }, select: { id: true, clientId: true } }),
      );
      const memberRows = await inSlices(leafFirst, (part) => tx.userOrganization.findMany({ where: { organizationId: { in: part } }, select: { userId: true } }));
      const memberIds = [...new Set(memberRows.map((r) => r.userId))];
      const memberships = await inSlices(memberIds, (part) =>
        tx.userOrganization.findMany({ where: { userId: { in: part } }, select: { userId: true, organizationId: true } }),
      );
      const staysSomewhere = new Set(memberships.filter((m) => !orgSet.has(m.organizationId)).map((m) => m.userId));
      const doomed = memberIds.filter((id) => !staysSomewhere.has(id));
      const tokens = await inSlices(doomed, (part) => tx.apiToken.findMany({ where: { userId: { in: part } }, select: { id: true, userId: true }, orderBy: { id: 'asc' } }));

      for (const part of chunks(installations.map((i) => i.id))) await tx.installation.deleteMany({ where: { id: { in: part } } });
      for (const part of chunks(doomed)) await tx.user.deleteMany({ where: { id: { in: part } } });
      for (const id of leafFirst) await tx.organization.deleteMany({ where: { id } });

      return {
        installations: installations.sort((a, b) => a.id - b.id),
        users: doomed.map((id) => ({ id, tokenIds: tokens.filter((t) => t.userId === id).map((t) => t.id) })),
        detachedUserIds: [...staysSomewhere].sort((a, b) => a - b),
      };
      // Cascades through devices, functions and meta of many installations can outlast the 5 s default.
    }, { timeout: 120_000 });
  }
}
