// Installations (spec 1.5, 2.2): the InstallationInfo and Installation views, CRUD and meta. Every
// committed change is mirrored into the InstallationIndex that access checks read.
import { z } from 'zod';
import type { Installation, InstallationInfo, MessageResponse, MetaObject } from '@lynx/shared';
import type { AccessEventHub } from '../access-events.js';
import { noAudit, type Audit, type TraceAction } from '../audit.js';
import { BadRequestError, ForbiddenError, NotFoundError } from '../errors.js';
import type { ChangePublisher } from '../events.js';
import type { IndexedInstallation, InstallationIndex } from '../installation-index.js';
import type { OrganizationTree } from '../organization-tree.js';
import type { Principal } from '../principal.js';
import { InstallationsRepository, type InstallationRecord } from '../repositories/installations.js';
import type { AamDb } from '../store/open-store.js';
import type { AccessPolicy } from './access-policy.js';
import {
  metaForCreate,
  metaForReplace,
  metaMapInputSchema,
  parseInput,
  parseMetaKey,
  parseMetaObject,
  planMetaDelete,
  planMetaWrite,
  readMetaKey,
  toMetaMaps,
  type MetaRights,
  type MetaWriteOptions,
} from './meta.js';
import { maxStoredInt } from './stored-values.js';

export interface AamServiceDeps {
  db: AamDb;
  index: InstallationIndex;
  organizations: OrganizationTree;
  policy: AccessPolicy;
  changes: ChangePublisher;
  accessEvents: AccessEventHub;
  now?: () => number;
  /** Called after an installation is gone (e.g. to drop its stored history). */
  onInstallationDeleted?: (installationId: number, clientId: number) => Promise<void>;
  /** Timezone of installations created without one; defaults to the server's own zone. */
  defaultTimezone?: string;
  /** Lowest client id handed out. */
  firstClientId?: number;
  /** Where committed changes are recorded (spec 1.14). */
  audit?: Audit;
}

/** Rows for `new InstallationIndex(...)` at startup. */
export async function loadInstallationIndex(db: AamDb): Promise<IndexedInstallation[]> {
  return new InstallationsRepository(db).indexRows();
}

function isTimezone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const nullishToUndefined = <T>(v: T | null | undefined): T | undefined => v ?? undefined;

// Go clients send every field, with zero values (0, null) for the ones they did not set.
const bodySchema = z.object({
  name: z.string().min(1, 'must not be empty').nullish().transform(nullishToUndefined),
  organization_id: z
    .number()
    .int()
    .nonnegative()
    .nullish()
    .transform((v) => v || undefined),
  notes: z.string().nullish().transform(nullishToUndefined),
  users: z.array(z.number().int().positive().max(maxStoredInt)).nullish().transform((v) => (v ? [...new Set(v)].sort((a, b) => a - b) : undefined)),
  meta: metaMapInputSchema,
  protected_meta: metaMapInputSchema,
  timezone: z
    .string()
    .refine(isTimezone, 'must be an IANA timezone name such as Europe/Stockholm')
    .nullish()
    .transform(nullishToUndefined),
});

type Body = z.infer<typeof bodySchema>;

/** What an update changed of who reaches the installation, for its trace line. */
function changeNotes(before: InstallationRecord, after: InstallationRecord): string {
  const notes: string[] = [];
  if (before.organizationId !== after.organizationId) notes.push(`moved from organization ${before.organizationId} to ${after.organizationId}`);
  const added = after.userIds.filter((u) => !before.userIds.includes(u));
  const removed = before.userIds.filter((u) => !after.userIds.includes(u));
  if (added.length) notes.push(`users assigned: ${added.join(', ')}`);
  if (removed.length) notes.push(`users unassigned: ${removed.join(', ')}`);
  return notes.length ? `: ${notes.join('; ')}` : '';
}

export class InstallationsService {
  private readonly repo: InstallationsRepository;
  private readonly now: () => number;
  private readonly defaultTimezone: string;
  private readonly audit: Audit;

  constructor(private readonly deps: AamServiceDeps) {
    this.audit = deps.audit ?? noAudit;
    this.repo = new InstallationsRepository(deps.db);
    this.now = deps.now ?? (() => Math.floor(Date.now() / 1000));
    this.defaultTimezone = deps.defaultTimezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';
  }

  async listInfo(p: Principal, opts: { assigned?: boolean } = {}): Promise<InstallationInfo[]> {
    const reach = this.deps.policy.reach(p, 'installation/list');
    let ids: number[] | null = reach.kind === 'all' ? null : [...reach.ids];
    if (opts.assigned) ids = (ids ?? [...this.deps.index.all()].map((i) => i.id)).filter((id) => this.isAssigned(p, id));
    const rows = await this.repo.infos(ids);
    return rows.map((r) => this.toInfo(p, r));
  }

  async infoByClientId(p: Principal, clientId: number, opts: { assigned?: boolean } = {}): Promise<InstallationInfo> {
    const inst = this.deps.index.byClientId(clientId);
    const notFound = new NotFoundError(`installation with client id ${clientId} not found`);
    if (!inst || (opts.assigned && !this.isAssigned(p, inst.id))) throw notFound;
    try {
      this.deps.policy.require(p, 'installation/list', inst.id);
    } catch {
      throw notFound;
    }
    const [row] = await this.repo.infos([inst.id]);
    if (!row) throw notFound;
    return this.toInfo(p, row);
  }

  /** Installation rows the caller may list; every filter is an exact match on a visible meta key. */
  async list(p: Principal, filters: Record<string, string> = {}): Promise<Installation[]> {
    const reach = this.deps.policy.reach(p, 'installation/list');
    const rows = await this.repo.list(reach.kind === 'all' ? null : [...reach.ids]);
    const wanted = Object.entries(filters).filter(([, v]) => v !== '');
    return rows
      .map((r) => this.toJson(r, this.rights(p, r.id)))
      .filter((inst) => wanted.every(([key, value]) => (Object.hasOwn(inst.meta, key) ? inst.meta[key] : inst.protected_meta[key]) === value));
  }

  async get(p: Principal, id: number): Promise<Installation> {
    this.deps.policy.require(p, 'installation/list', id);
    return this.toJson(await this.load(id), this.rights(p, id));
  }

  async create(p: Principal, body: unknown): Promise<Installation> {
    this.deps.policy.requirePermission(p, 'installation/create');
    const input = parseInput(bodySchema, body ?? {});
    if (input.name === undefined) throw new BadRequestError('invalid name: required');
    const organizationId = input.organization_id ?? p.organizationIds[0];
    if (organizationId === undefined) throw new BadRequestError('invalid organization_id: required (the caller belongs to no organization)');
    this.requireOrganization(p, organizationId);
    const userIds = await this.checkedUsers(p, input.users ?? []);
    const rights = this.rightsBeforeCreate(p, userIds);
    const record = await this.repo.create(
      {
        name: input.name,
        organizationId,
        notes: input.notes ?? '',
        timezone: input.timezone ?? this.defaultTimezone,
        userIds,
        meta: metaForCreate(input.meta, input.protected_meta, rights),
      },
      this.now(),
      this.deps.firstClientId,
    );
    this.committed(record, true);
    await this.trace('create', record, `installation "${record.name}" created`);
    return this.toJson(record, this.rights(p, record.id));
  }

  /** Full-object PUT; absent fields keep their stored values, `id`/`client_id`/`created` are fixed. */
  async update(p: Principal, id: number, body: unknown): Promise<Installation> {
    this.deps.policy.require(p, 'installation/update', id);
    const input: Body = parseInput(bodySchema, body ?? {});
    const current = await this.load(id);
    if (input.organization_id !== undefined && input.organization_id !== current.organizationId) {
      this.requireOrganization(p, input.organization_id);
    }
    const userIds = input.users && (await this.checkedUsers(p, input.users, current.userIds));
    const meta = metaForReplace(current.meta, input.meta, input.protected_meta, this.rights(p, id));
    const record = await this.repo.update(
      id,
      { name: input.name, organizationId: input.organization_id, notes: input.notes, timezone: input.timezone, userIds, meta },
      this.now(),
    );
    const accessChanged = record.organizationId !== current.organizationId || record.userIds.join() !== current.userIds.join();
    this.committed(record, accessChanged);
    await this.trace('update', record, `installation "${record.name}" updated${changeNotes(current, record)}`);
    // Rights may have changed with the assignment or organization.
    return this.toJson(record, this.rights(p, id));
  }

  async delete(p: Principal, id: number): Promise<MessageResponse> {
    const inst = this.deps.policy.require(p, 'installation/delete', id);
    if (!(await this.repo.delete(id))) throw new NotFoundError(`installation ${id} not found`);
    this.deps.index.remove(id);
    this.deps.accessEvents.emit({ type: 'access-changed', userId: null });
    this.deps.changes.changed(inst.clientId, 'installation');
    await this.deps.onInstallationDeleted?.(id, inst.clientId);
    await this.trace('delete', inst, `installation ${id} deleted`);
    return { message: `installation ${id} deleted` };
  }

  async getMeta(p: Principal, id: number, key: string): Promise<MetaObject> {
    this.deps.policy.require(p, 'installation/list', id);
    return readMetaKey((await this.load(id)).meta, parseMetaKey(key), this.rights(p, id));
  }

  async createMeta(p: Principal, id: number, key: string, body: unknown, opts: MetaWriteOptions = {}): Promise<MetaObject> {
    return this.writeMeta(p, id, key, body, 'create', opts);
  }

  async updateMeta(p: Principal, id: number, key: string, body: unknown, opts: MetaWriteOptions = {}): Promise<MetaObject> {
    return this.writeMeta(p, id, key, body, 'update', opts);
  }

  async deleteMeta(p: Principal, id: number, key: string, opts: MetaWriteOptions = {}): Promise<MessageResponse> {
    const inst = this.deps.policy.require(p, 'installation/update', id);
    const metaKey = parseMetaKey(key);
    planMetaDelete((await this.load(id)).meta, metaKey, this.rights(p, id));
    await this.repo.deleteMeta(id, metaKey, this.now());
    if (!opts.silent) this.deps.changes.changed(inst.clientId, 'installation');
    await this.trace('update', inst, `meta key "${metaKey}" deleted`);
    return { message: `meta key "${metaKey}" deleted` };
  }

  private async writeMeta(p: Principal, id: number, key: string, body: unknown, mode: 'create' | 'update', opts: MetaWriteOptions): Promise<MetaObject> {
    const inst = this.deps.policy.require(p, 'installation/update', id);
    const metaKey = parseMetaKey(key);
    const input = parseMetaObject(body);
    const row = planMetaWrite((await this.load(id)).meta, metaKey, input, mode, opts.createMissing ?? false, this.rights(p, id));
    await this.repo.setMeta(id, row, this.now());
    if (!opts.silent) this.deps.changes.changed(inst.clientId, 'installation');
    await this.trace('update', inst, `meta key "${metaKey}" set${row.protected ? ' (protected)' : ''}`);
    return { value: row.value, protected: row.protected };
  }

  private committed(record: InstallationRecord, accessChanged: boolean): void {
    this.deps.index.upsert({ id: record.id, clientId: record.clientId, organizationId: record.organizationId, userIds: new Set(record.userIds) });
    if (accessChanged) this.deps.accessEvents.emit({ type: 'access-changed', userId: null });
    this.deps.changes.changed(record.clientId, 'installation');
  }

  private trace(action: TraceAction, inst: { id: number; organizationId: number }, description: string): Promise<void> {
    return this.audit.record({ action, objectType: 'installation', objectId: inst.id, description, installationId: inst.id, organizationId: inst.organizationId });
  }

  private async load(id: number): Promise<InstallationRecord> {
    const record = await this.repo.get(id);
    if (!record) throw new NotFoundError(`installation ${id} not found`);
    return record;
  }

  /** The organization must exist and lie in the caller's own organization subtree. */
  private requireOrganization(p: Principal, organizationId: number): void {
    if (!this.deps.organizations.has(organizationId)) throw new BadRequestError(`organization ${organizationId} not found`);
    if (!this.deps.organizations.subtree(p.organizationIds).has(organizationId)) {
      throw new ForbiddenError(`organization ${organizationId} is outside your organizations`);
    }
  }

  /**
   * Users newly assigned must exist and lie in the caller's organization subtree (spec 1.4), so an
   * organization's admin cannot pull in another tenant's users. Users outside it are reported as
   * unknown, so their ids do not leak. Users already assigned stay, whoever assigned them.
   */
  private async checkedUsers(p: Principal, userIds: number[], alreadyAssigned: readonly number[] = []): Promise<number[]> {
    const added = userIds.filter((id) => !alreadyAssigned.includes(id));
    const reach = this.deps.organizations.subtree(p.organizationIds);
    const known = new Set(
      (await this.repo.existingUsers(added)).filter((u) => u.id === p.userId || u.organizationIds.some((o) => reach.has(o))).map((u) => u.id),
    );
    const unknown = added.filter((id) => !known.has(id));
    if (unknown.length) throw new BadRequestError(`unknown user id(s) in users: ${unknown.join(', ')}`);
    return userIds;
  }

  private isAssigned(p: Principal, id: number): boolean {
    return this.deps.index.byId(id)?.userIds.has(p.userId) ?? false;
  }

  private rights(p: Principal, id: number): MetaRights {
    return this.deps.policy.protectedMeta(p, 'installation', id);
  }

  // The installation is not in the index yet; the organization was already checked to be within
  // the caller's subtree, so `/all` applies, and `/assigned` applies when the caller assigns itself.
  private rightsBeforeCreate(p: Principal, userIds: number[]): MetaRights {
    const has = (family: string) => p.permissions.has(`${family}/all`) || (p.permissions.has(`${family}/assigned`) && userIds.includes(p.userId));
    return { view: has('installation/view/protected_meta'), edit: has('installation/edit/protected_meta') };
  }

  private toInfo(p: Principal, r: { id: number; clientId: number; name: string; timezone: string; organizationId: number }): InstallationInfo {
    return {
      id: r.id,
      client_id: r.clientId,
      name: r.name,
      timezone: r.timezone,
      capabilities: [],
      organization_id: r.organizationId,
      assigned: this.isAssigned(p, r.id),
    };
  }

  private toJson(r: InstallationRecord, rights: MetaRights): Installation {
    return {
      id: r.id,
      name: r.name,
      client_id: r.clientId,
      created: r.created,
      organization_id: r.organizationId,
      notes: r.notes,
      users: r.userIds,
      ...toMetaMaps(r.meta, rights.view),
    };
  }
}
