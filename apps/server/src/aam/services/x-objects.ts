// DeviceX and FunctionX (spec 1.7, 1.8, 2.3, 2.4): one service class, one instance per kind.
import { z } from 'zod';
import type { DeviceX, MessageResponse, MetaObject } from '@lynx/shared';
import { noAudit, type Audit, type TraceAction } from '../audit.js';
import { BadRequestError, NotFoundError } from '../errors.js';
import type { ChangePublisher } from '../events.js';
import type { IndexedInstallation } from '../installation-index.js';
import type { Principal } from '../principal.js';
import { XObjectsRepository, type XKind, type XObjectRecord } from '../repositories/x-objects.js';
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

export type { XKind };
export type XObject = DeviceX;

export interface XObjectsServiceOptions {
  db: AamDb;
  policy: AccessPolicy;
  changes: ChangePublisher;
  now?: () => number;
  /** Where committed changes are recorded (spec 1.14). */
  audit?: Audit;
}

// Go clients send every field, with zero values (0, null) for the ones they did not set.
const optionalId = z
  .number()
  .int()
  .nonnegative()
  .nullish()
  .transform((v) => v || undefined);

const bodySchema = z.object({
  type: z.string().nullish().transform((v) => v ?? undefined),
  installation_id: optionalId,
  meta: metaMapInputSchema,
  protected_meta: metaMapInputSchema,
});

function parseBody(body: unknown, installationId: number) {
  const parsed = parseInput(bodySchema, body ?? {});
  if (parsed.installation_id !== undefined && parsed.installation_id !== installationId) {
    throw new BadRequestError(`installation_id ${parsed.installation_id} in the body does not match installation ${installationId} in the path`);
  }
  return parsed;
}

export class XObjectsService {
  readonly kind: XKind;
  private readonly repo: XObjectsRepository;
  private readonly policy: AccessPolicy;
  private readonly changes: ChangePublisher;
  private readonly now: () => number;
  private readonly label: 'device' | 'function';
  private readonly audit: Audit;

  constructor(kind: XKind, opts: XObjectsServiceOptions) {
    this.audit = opts.audit ?? noAudit;
    this.kind = kind;
    this.repo = new XObjectsRepository(opts.db, kind);
    this.policy = opts.policy;
    this.changes = opts.changes;
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000));
    this.label = kind === 'devicex' ? 'device' : 'function';
  }

  /** Every filter key is an exact match on meta, except `type` which matches the object's type. */
  async list(p: Principal, installationId: number, filters: Record<string, string> = {}): Promise<XObject[]> {
    this.policy.require(p, `${this.kind}/list`, installationId);
    const rights = this.rights(p, installationId);
    const meta: { key: string; value: string }[] = [];
    let type: string | undefined;
    for (const [key, value] of Object.entries(filters)) {
      if (value === '') continue;
      if (key === 'type') type = value;
      else meta.push({ key, value });
    }
    const rows = await this.repo.list(installationId, { type, meta, matchProtected: rights.view });
    return rows.map((r) => this.toJson(r, rights));
  }

  async get(p: Principal, installationId: number, id: number): Promise<XObject> {
    this.policy.require(p, `${this.kind}/list`, installationId);
    return this.toJson(await this.load(installationId, id), this.rights(p, installationId));
  }

  async create(p: Principal, installationId: number, body: unknown, opts: MetaWriteOptions = {}): Promise<XObject> {
    const inst = this.policy.require(p, `${this.kind}/create_delete`, installationId);
    const input = parseBody(body, installationId);
    const rights = this.rights(p, installationId);
    const meta = metaForCreate(input.meta, input.protected_meta, rights);
    const record = await this.repo.create(installationId, { type: input.type ?? '', meta }, this.now());
    this.publish(inst, opts);
    await this.trace('create', inst, record.id, `${this.label} ${record.id} created${record.type ? ` (type "${record.type}")` : ''}`);
    return this.toJson(record, rights);
  }

  /** Full-object PUT; absent fields keep their stored values. */
  async update(p: Principal, installationId: number, id: number, body: unknown, opts: MetaWriteOptions = {}): Promise<XObject> {
    const inst = this.policy.require(p, `${this.kind}/update`, installationId);
    const input = parseBody(body, installationId);
    const current = await this.load(installationId, id);
    const rights = this.rights(p, installationId);
    const meta = metaForReplace(current.meta, input.meta, input.protected_meta, rights);
    const record = await this.repo.replace(id, { type: input.type ?? current.type, meta }, this.nextUpdated(current));
    this.publish(inst, opts);
    await this.trace('update', inst, id, `${this.label} ${id} updated`);
    return this.toJson(record, rights);
  }

  async delete(p: Principal, installationId: number, id: number, opts: MetaWriteOptions = {}): Promise<MessageResponse> {
    const inst = this.policy.require(p, `${this.kind}/create_delete`, installationId);
    if (!(await this.repo.delete(installationId, id))) throw this.notFound(installationId, id);
    this.publish(inst, opts);
    await this.trace('delete', inst, id, `${this.label} ${id} deleted`);
    return { message: `${this.label} ${id} deleted` };
  }

  async getMeta(p: Principal, installationId: number, id: number, key: string): Promise<MetaObject> {
    this.policy.require(p, `${this.kind}/list`, installationId);
    const record = await this.load(installationId, id);
    return readMetaKey(record.meta, parseMetaKey(key), this.rights(p, installationId));
  }

  async createMeta(p: Principal, installationId: number, id: number, key: string, body: unknown, opts: MetaWriteOptions = {}): Promise<MetaObject> {
    return this.writeMeta(p, installationId, id, key, body, 'create', opts);
  }

  async updateMeta(p: Principal, installationId: number, id: number, key: string, body: unknown, opts: MetaWriteOptions = {}): Promise<MetaObject> {
    return this.writeMeta(p, installationId, id, key, body, 'update', opts);
  }

  async deleteMeta(p: Principal, installationId: number, id: number, key: string, opts: MetaWriteOptions = {}): Promise<MessageResponse> {
    const inst = this.policy.require(p, `${this.kind}/update`, installationId);
    const metaKey = parseMetaKey(key);
    const record = await this.load(installationId, id);
    planMetaDelete(record.meta, metaKey, this.rights(p, installationId));
    await this.repo.deleteMeta(id, metaKey, this.nextUpdated(record));
    this.publish(inst, opts);
    await this.trace('update', inst, id, `meta key "${metaKey}" deleted`);
    return { message: `meta key "${metaKey}" deleted` };
  }

  private async writeMeta(
    p: Principal,
    installationId: number,
    id: number,
    key: string,
    body: unknown,
    mode: 'create' | 'update',
    opts: MetaWriteOptions,
  ): Promise<MetaObject> {
    const inst = this.policy.require(p, `${this.kind}/update`, installationId);
    const metaKey = parseMetaKey(key);
    const input = parseMetaObject(body);
    const record = await this.load(installationId, id);
    const row = planMetaWrite(record.meta, metaKey, input, mode, opts.createMissing ?? false, this.rights(p, installationId));
    await this.repo.setMeta(id, row, this.nextUpdated(record));
    this.publish(inst, opts);
    await this.trace('update', inst, id, `meta key "${metaKey}" set${row.protected ? ' (protected)' : ''}`);
    return { value: row.value, protected: row.protected };
  }

  private trace(action: TraceAction, inst: IndexedInstallation, id: number, description: string): Promise<void> {
    return this.audit.record({ action, objectType: this.label, objectId: id, description, installationId: inst.id, organizationId: inst.organizationId });
  }

  private async load(installationId: number, id: number): Promise<XObjectRecord> {
    const record = await this.repo.get(installationId, id);
    if (!record) throw this.notFound(installationId, id);
    return record;
  }

  private notFound(installationId: number, id: number): NotFoundError {
    return new NotFoundError(`${this.label} ${id} not found in installation ${installationId}`);
  }

  private rights(p: Principal, installationId: number): MetaRights {
    return this.policy.protectedMeta(p, this.kind, installationId);
  }

  // Clients compare `updated` to notice changes; two changes in one second must still differ.
  private nextUpdated(current: XObjectRecord): number {
    return Math.max(this.now(), current.updated + 1);
  }

  private publish(inst: IndexedInstallation, opts: MetaWriteOptions): void {
    if (!opts.silent) this.changes.changed(inst.clientId, this.kind);
  }

  private toJson(r: XObjectRecord, rights: MetaRights): XObject {
    return { id: r.id, type: r.type, installation_id: r.installationId, ...toMetaMaps(r.meta, rights.view), created: r.created, updated: r.updated };
  }
}
