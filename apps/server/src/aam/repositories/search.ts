// Candidates for search (spec 2.12): installations, devices and functions with their meta, within a
// set of installations. Text matching happens in the service, so it is the same Unicode-aware
// case folding on SQLite and PostgreSQL; exact meta filters are pushed down here (indexed).
import type { AamDb } from '../store/open-store.js';
import { chunks, type MetaRow } from './meta.js';

export type SearchKind = 'installation' | 'device' | 'function';

export interface SearchCandidate {
  kind: SearchKind;
  id: number;
  installationId: number;
  /** Installations: their name; devices and functions: '' (their name is meta `name`). */
  name: string;
  /** Installations: their notes. */
  notes: string;
  /** Devices and functions: their type (e.g. `temperature`); installations: ''. */
  objectType: string;
  created: number;
  updated: number;
  meta: MetaRow[];
}

export interface SearchScope {
  /** null: every installation. */
  installationIds: readonly number[] | null;
  /** Exact meta matches every candidate must have (visibility of protected keys is checked by the caller). */
  meta: readonly { key: string; value: string }[];
}

function attach<T extends { id: number }>(objects: T[], meta: (MetaRow & { ownerId: number })[]): (T & { meta: MetaRow[] })[] {
  const byOwner = new Map<number, MetaRow[]>();
  for (const m of meta) {
    const row = { key: m.key, value: m.value, protected: m.protected };
    const list = byOwner.get(m.ownerId);
    if (list) list.push(row);
    else byOwner.set(m.ownerId, [row]);
  }
  return objects.map((o) => ({ ...o, meta: byOwner.get(o.id) ?? [] }));
}

export class SearchRepository {
  constructor(private readonly db: AamDb) {}

  async candidates(kind: SearchKind, scope: SearchScope): Promise<SearchCandidate[]> {
    // Slices keep `IN (...)` below SQLite's bound-parameter limit whatever the caller's reach.
    const slices: (readonly number[] | null)[] = scope.installationIds === null ? [null] : chunks(scope.installationIds);
    const out: SearchCandidate[] = [];
    for (const ids of slices) {
      if (ids !== null && ids.length === 0) continue;
      out.push(...(await this.slice(kind, ids, scope.meta)));
    }
    return out.sort((a, b) => a.id - b.id);
  }

  private async slice(kind: SearchKind, ids: readonly number[] | null, meta: SearchScope['meta']): Promise<SearchCandidate[]> {
    const metaFilter = meta.map(({ key, value }) => ({ meta: { some: { key, value } } }));
    const metaOrder = { key: 'asc' } as const;
    if (kind === 'installation') {
      const where = { ...(ids && { id: { in: [...ids] } }), AND: metaFilter };
      const [objects, rows] = await this.db.$transaction([
        this.db.installation.findMany({ where, select: { id: true, name: true, notes: true, created: true, updated: true } }),
        this.db.installationMeta.findMany({ where: { installation: where }, orderBy: metaOrder }),
      ]);
      return attach(objects, rows.map((m) => ({ ...m, ownerId: m.installationId }))).map((o) => ({ kind, installationId: o.id, objectType: '', ...o }));
    }
    const where = { ...(ids && { installationId: { in: [...ids] } }), AND: metaFilter };
    const select = { id: true, installationId: true, type: true, created: true, updated: true } as const;
    if (kind === 'device') {
      const [objects, rows] = await this.db.$transaction([
        this.db.device.findMany({ where, select }),
        this.db.deviceMeta.findMany({ where: { device: where }, orderBy: metaOrder }),
      ]);
      return attach(objects, rows.map((m) => ({ ...m, ownerId: m.deviceId }))).map(({ type, ...o }) => ({ kind, name: '', notes: '', objectType: type, ...o }));
    }
    const [objects, rows] = await this.db.$transaction([
      this.db.function.findMany({ where, select }),
      this.db.functionMeta.findMany({ where: { function: where }, orderBy: metaOrder }),
    ]);
    return attach(objects, rows.map((m) => ({ ...m, ownerId: m.functionId }))).map(({ type, ...o }) => ({ kind, name: '', notes: '', objectType: type, ...o }));
  }
}
