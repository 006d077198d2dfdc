// Devices and functions: two tables of one shape. Every query below is written once and sent to
// the table of the repository's kind, so both stay type-checked against their generated models.
import type { AamDb } from '../store/open-store.js';
import { metaInclude, toMetaRows, type MetaRow } from './meta.js';

export type XKind = 'devicex' | 'functionx';

export interface XObjectRecord {
  id: number;
  installationId: number;
  type: string;
  created: number;
  updated: number;
  meta: MetaRow[];
}

export interface XObjectFilter {
  /** Exact match on the object's type. */
  type?: string;
  /** Exact matches on meta values, all of which must hold. */
  meta: { key: string; value: string }[];
  /** Whether a filter may match a protected key (only for callers allowed to see them). */
  matchProtected: boolean;
}

/** Prisma's row with meta included has the record's shape already. */
type Row = XObjectRecord;

function toRecord(row: Row): XObjectRecord {
  return { id: row.id, installationId: row.installationId, type: row.type, created: row.created, updated: row.updated, meta: toMetaRows(row.meta) };
}

function assemble(objects: Omit<Row, 'meta'>[], meta: (MetaRow & { ownerId: number })[]): XObjectRecord[] {
  const byOwner = new Map<number, MetaRow[]>();
  for (const m of meta) {
    const list = byOwner.get(m.ownerId);
    const row = { key: m.key, value: m.value, protected: m.protected };
    if (list) list.push(row);
    else byOwner.set(m.ownerId, [row]);
  }
  return objects.map((o) => toRecord({ ...o, meta: byOwner.get(o.id) ?? [] }));
}

export class XObjectsRepository {
  constructor(
    private readonly db: AamDb,
    readonly kind: XKind,
  ) {}

  /**
   * Two queries whatever the number of objects: the objects, then their meta selected through
   * the same filter (an `IN (ids)` list would exceed SQLite's 999 bound parameters).
   */
  async list(installationId: number, filter: XObjectFilter): Promise<XObjectRecord[]> {
    const where = {
      installationId,
      ...(filter.type !== undefined && { type: filter.type }),
      AND: filter.meta.map(({ key, value }) => ({
        meta: { some: { key, value, ...(!filter.matchProtected && { protected: false }) } },
      })),
    };
    const orderBy = { id: 'asc' } as const;
    const metaOrder = { key: 'asc' } as const;
    if (this.kind === 'devicex') {
      const [objects, meta] = await this.db.$transaction([
        this.db.device.findMany({ where, orderBy }),
        this.db.deviceMeta.findMany({ where: { device: where }, orderBy: metaOrder }),
      ]);
      return assemble(objects, meta.map((m) => ({ ...m, ownerId: m.deviceId })));
    }
    const [objects, meta] = await this.db.$transaction([
      this.db.function.findMany({ where, orderBy }),
      this.db.functionMeta.findMany({ where: { function: where }, orderBy: metaOrder }),
    ]);
    return assemble(objects, meta.map((m) => ({ ...m, ownerId: m.functionId })));
  }

  async get(installationId: number, id: number): Promise<XObjectRecord | null> {
    const args = { where: { id, installationId }, include: metaInclude };
    const row = this.kind === 'devicex' ? await this.db.device.findFirst(args) : await this.db.function.findFirst(args);
    return row ? toRecord(row) : null;
  }

  async create(installationId: number, data: { type: string; meta: MetaRow[] }, now: number): Promise<XObjectRecord> {
    const args = {
      data: { installationId, type: data.type, created: now, updated: now, meta: { create: data.meta } },
      include: metaInclude,
    };
    const row = this.kind === 'devicex' ? await this.db.device.create(args) : await this.db.function.create(args);
    return toRecord(row);
  }

  async replace(id: number, data: { type: string; meta: MetaRow[] }, updated: number): Promise<XObjectRecord> {
    const args = {
      where: { id },
      data: { type: data.type, updated, meta: { deleteMany: {}, create: data.meta } },
      include: metaInclude,
    };
    const row = this.kind === 'devicex' ? await this.db.device.update(args) : await this.db.function.update(args);
    return toRecord(row);
  }

  async setMeta(id: number, entry: MetaRow, updated: number): Promise<void> {
    const args = { where: { id }, data: { updated, meta: { deleteMany: { key: entry.key }, create: entry } } };
    if (this.kind === 'devicex') await this.db.device.update(args);
    else await this.db.function.update(args);
  }

  async deleteMeta(id: number, key: string, updated: number): Promise<void> {
    const args = { where: { id }, data: { updated, meta: { deleteMany: { key } } } };
    if (this.kind === 'devicex') await this.db.device.update(args);
    else await this.db.function.update(args);
  }

  async delete(installationId: number, id: number): Promise<boolean> {
    const args = { where: { id, installationId } };
    const { count } = this.kind === 'devicex' ? await this.db.device.deleteMany(args) : await this.db.function.deleteMany(args);
    return count > 0;
  }
}
