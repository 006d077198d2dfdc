import type { IndexedInstallation } from '../installation-index.js';
import type { Prisma } from '../store/generated/sqlite/client.js';
import type { AamDb } from '../store/open-store.js';
import { chunks, metaInclude, toMetaRows, type MetaRow } from './meta.js';

export interface InstallationRecord {
  id: number;
  clientId: number;
  name: string;
  organizationId: number;
  notes: string;
  timezone: string;
  created: number;
  updated: number;
  userIds: number[];
  meta: MetaRow[];
}

export type InstallationInfoRecord = Pick<InstallationRecord, 'id' | 'clientId' | 'name' | 'organizationId' | 'timezone'>;

export interface NewInstallation {
  name: string;
  organizationId: number;
  notes: string;
  timezone: string;
  userIds: number[];
  meta: MetaRow[];
}

export type InstallationChanges = Partial<NewInstallation>;

/** Where the next client id is kept, so ids of deleted installations are never handed out again. */
const clientIdCounterKey = 'installation.next_client_id';

const include = { ...metaInclude, users: { select: { userId: true }, orderBy: { userId: 'asc' } } } as const;
const infoSelect = { id: true, clientId: true, name: true, organizationId: true, timezone: true } as const;

type Row = Prisma.InstallationGetPayload<{ include: typeof include }>;

function toRecord(row: Row): InstallationRecord {
  const { users, meta, ...rest } = row;
  return { ...rest, userIds: users.map((u) => u.userId), meta: toMetaRows(meta) };
}

export class InstallationsRepository {
  constructor(private readonly db: AamDb) {}

  async indexRows(): Promise<IndexedInstallation[]> {
    const rows = await this.db.installation.findMany({
      select: { id: true, clientId: true, organizationId: true, users: { select: { userId: true } } },
    });
    return rows.map((r) => ({ id: r.id, clientId: r.clientId, organizationId: r.organizationId, userIds: new Set(r.users.map((u) => u.userId)) }));
  }

  /** `ids: null` means every installation. */
  async infos(ids: readonly number[] | null): Promise<InstallationInfoRecord[]> {
    if (ids === null) return this.db.installation.findMany({ select: infoSelect, orderBy: { id: 'asc' } });
    const parts = await Promise.all(
      chunks(ids).map((part) => this.db.installation.findMany({ where: { id: { in: part } }, select: infoSelect })),
    );
    return parts.flat().sort((a, b) => a.id - b.id);
  }

  /**
   * `ids: null` means every installation. Fetched in slices because Prisma loads relations with
   * `IN (parent ids)`, which SQLite caps at 999 bound parameters.
   */
  async list(ids: readonly number[] | null): Promise<InstallationRecord[]> {
    if (ids === null) ids = (await this.db.installation.findMany({ select: { id: true } })).map((r) => r.id);
    const parts = await Promise.all(chunks(ids).map((part) => this.db.installation.findMany({ where: { id: { in: part } }, include })));
    return parts.flat().map(toRecord).sort((a, b) => a.id - b.id);
  }

  async get(id: number): Promise<InstallationRecord | null> {
    const row = await this.db.installation.findUnique({ where: { id }, include });
    return row ? toRecord(row) : null;
  }

  /** The users among `ids` that exist, with their organizations. */
  async existingUsers(ids: readonly number[]): Promise<{ id: number; organizationIds: number[] }[]> {
    const parts = await Promise.all(
      chunks(ids).map((part) =>
        this.db.user.findMany({ where: { id: { in: part } }, select: { id: true, organisations: { select: { organizationId: true } } } }),
      ),
    );
    return parts.flat().map((u) => ({ id: u.id, organizationIds: u.organisations.map((o) => o.organizationId) }));
  }

  /**
   * Creates the installation with a fresh client id (never below `firstClientId`, never equal to
   * the row's own id, never reused), allocated in the same transaction as the insert.
   */
  async create(data: NewInstallation, now: number, firstClientId = 10_000): Promise<InstallationRecord> {
    return this.db.$transaction(async (tx) => {
      const [counter, max] = await Promise.all([
        tx.setting.findUnique({ where: { key: clientIdCounterKey } }),
        tx.installation.aggregate({ _max: { clientId: true } }),
      ]);
      let clientId = Math.max(firstClientId, Number(counter?.value ?? 0) || 0, (max._max.clientId ?? 0) + 1);
      let row = await tx.installation.create({
        data: {
          clientId,
          name: data.name,
          organizationId: data.organizationId,
          notes: data.notes,
          timezone: data.timezone,
          created: now,
          updated: now,
          users: { create: data.userIds.map((userId) => ({ userId })) },
          meta: { create: data.meta },
        },
        include,
      });
      // Clients tell the two numbers apart only by value; a coincidence would make topics ambiguous.
      if (row.id === clientId) {
        clientId += 1;
        row = await tx.installation.update({ where: { id: row.id }, data: { clientId }, include });
      }
      const next = String(clientId + 1);
      await tx.setting.upsert({ where: { key: clientIdCounterKey }, create: { key: clientIdCounterKey, value: next }, update: { value: next } });
      return toRecord(row);
    });
  }

  async update(id: number, changes: InstallationChanges, now: number): Promise<InstallationRecord> {
    const { userIds, meta, ...fields } = changes;
    const row = await this.db.installation.update({
      where: { id },
      data: {
        ...fields,
        updated: now,
        ...(userIds && { users: { deleteMany: {}, create: userIds.map((userId) => ({ userId })) } }),
        ...(meta && { meta: { deleteMany: {}, create: meta } }),
      },
      include,
    });
    return toRecord(row);
  }

  async setMeta(id: number, entry: MetaRow, now: number): Promise<void> {
    await this.db.installation.update({
      where: { id },
      data: { updated: now, meta: { deleteMany: { key: entry.key }, create: entry } },
    });
  }

  async deleteMeta(id: number, key: string, now: number): Promise<void> {
    await this.db.installation.update({ where: { id }, data: { updated: now, meta: { deleteMany: { key } } } });
  }

  /** Devices, functions, meta and assignments go with it (ON DELETE CASCADE). */
  async delete(id: number): Promise<boolean> {
    const { count } = await this.db.installation.deleteMany({ where: { id } });
    return count > 0;
  }
}
