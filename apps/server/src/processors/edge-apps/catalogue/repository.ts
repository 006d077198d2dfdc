// Catalogue entries and their versions (app.lua + app.json by hash) over the AAM store.
import type { AamDb } from '../../../aam/store/open-store.js';

export interface EdgeAppRecord {
  id: number;
  organizationId: number;
  name: string;
  category: string;
  tags: string[];
  shortDescription: string;
  description: string;
  official: boolean;
  public: boolean;
  sourceUrl: string;
  created: number;
  updated: number;
}

export type EdgeAppFields = Omit<EdgeAppRecord, 'id' | 'created' | 'updated'>;

export interface EdgeAppVersionRecord {
  appId: number;
  hash: string;
  name: string;
  timestamp: number;
}

export interface EdgeAppSource {
  lua: string;
  json: string;
}

type AppRow = Omit<EdgeAppRecord, 'tags'> & { tags: string };

function parseTags(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((t): t is string => typeof t === 'string') : [];
  } catch {
    return [];
  }
}

function toRecord(row: AppRow): EdgeAppRecord {
  return {
    id: row.id,
    organizationId: row.organizationId,
    name: row.name,
    category: row.category,
    tags: parseTags(row.tags),
    shortDescription: row.shortDescription,
    description: row.description,
    official: row.official,
    public: row.public,
    sourceUrl: row.sourceUrl,
    created: row.created,
    updated: row.updated,
  };
}

const versionSelect = { appId: true, hash: true, name: true, timestamp: true } as const;

export class EdgeAppCatalogueRepository {
  constructor(private readonly db: AamDb) {}

  async list(): Promise<EdgeAppRecord[]> {
    return (await this.db.edgeApp.findMany({ orderBy: { id: 'asc' } })).map(toRecord);
  }

  async listByOrganizations(organizationIds: readonly number[]): Promise<EdgeAppRecord[]> {
    const rows = await this.db.edgeApp.findMany({ where: { organizationId: { in: [...organizationIds] } }, orderBy: { id: 'asc' } });
    return rows.map(toRecord);
  }

  async get(id: number): Promise<EdgeAppRecord | null> {
    const row = await this.db.edgeApp.findUnique({ where: { id } });
    return row ? toRecord(row) : null;
  }

  async create(fields: EdgeAppFields, now: number): Promise<EdgeAppRecord> {
    const row = await this.db.edgeApp.create({ data: { ...fields, tags: JSON.stringify(fields.tags), created: now, updated: now } });
    return toRecord(row);
  }

  async update(id: number, fields: EdgeAppFields, updated: number): Promise<EdgeAppRecord> {
    const row = await this.db.edgeApp.update({ where: { id }, data: { ...fields, tags: JSON.stringify(fields.tags), updated } });
    return toRecord(row);
  }

  async listVersions(appId: number): Promise<EdgeAppVersionRecord[]> {
    return this.db.edgeAppVersion.findMany({ where: { appId }, select: versionSelect, orderBy: [{ timestamp: 'asc' }, { hash: 'asc' }] });
  }

  async getVersion(appId: number, hash: string): Promise<EdgeAppVersionRecord | null> {
    return this.db.edgeAppVersion.findUnique({ where: { appId_hash: { appId, hash } }, select: versionSelect });
  }

  async getVersionByName(appId: number, name: string): Promise<EdgeAppVersionRecord | null> {
    return this.db.edgeAppVersion.findFirst({ where: { appId, name }, select: versionSelect });
  }

  /** Stores a version unless that hash is there already; answers the stored one either way. */
  async addVersion(appId: number, hash: string, source: EdgeAppSource, timestamp: number): Promise<EdgeAppVersionRecord> {
    const existing = await this.getVersion(appId, hash);
    if (existing) return existing;
    try {
      return await this.db.edgeAppVersion.create({ data: { appId, hash, lua: source.lua, json: source.json, timestamp }, select: versionSelect });
    } catch (err) {
      // Two identical uploads at once: the other one stored it.
      const again = await this.getVersion(appId, hash);
      if (again) return again;
      throw err;
    }
  }

  async nameVersion(appId: number, hash: string, name: string): Promise<EdgeAppVersionRecord> {
    return this.db.edgeAppVersion.update({ where: { appId_hash: { appId, hash } }, data: { name }, select: versionSelect });
  }

  async getSource(appId: number, hash: string): Promise<EdgeAppSource | null> {
    return this.db.edgeAppVersion.findUnique({ where: { appId_hash: { appId, hash } }, select: { lua: true, json: true } });
  }

  /** Publisher names (organization names) by id. */
  async organizationNames(ids: readonly number[]): Promise<Map<number, string>> {
    const rows = await this.db.organization.findMany({ where: { id: { in: [...new Set(ids)] } }, select: { id: true, name: true } });
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  /** Apps published by these organizations (blocking a non-forced organization delete). */
  async listPublishedBy(organizationIds: readonly number[]): Promise<{ id: number; name: string }[]> {
    return this.db.edgeApp.findMany({ where: { organizationId: { in: [...organizationIds] } }, select: { id: true, name: true }, orderBy: { id: 'asc' } });
  }
}
