// Configured edge-app instances (spec 1.12, 2.9): an app version with its configuration on an
// installation. Every committed change publishes `<client_id>/evt/edge_app/updated` (edge clients
// re-sync) and tells the server-side runtime to restart or stop the instance.
import { z } from 'zod';
import type { EdgeAppInstance, MessageResponse } from '@lynx/shared';
import { noAudit, type Audit, type TraceAction } from '../../../aam/audit.js';
import { BadRequestError, NotFoundError } from '../../../aam/errors.js';
import type { ChangePublisher } from '../../../aam/events.js';
import type { IndexedInstallation } from '../../../aam/installation-index.js';
import type { Principal } from '../../../aam/principal.js';
import type { AccessPolicy } from '../../../aam/services/access-policy.js';
import { parseInput } from '../../../aam/services/parse-input.js';
import type { AamDb } from '../../../aam/store/open-store.js';
import { checkRequiredInputs, parseAppJson } from '../catalogue/app-json.js';
import type { EdgeAppSource } from '../catalogue/repository.js';
import type { EdgeAppCatalogueService } from '../catalogue/service.js';
import { noRuntimeControl, type EdgeRuntimeControl } from '../runtime-control.js';
import { EdgeAppInstancesRepository, type EdgeAppInstanceRecord } from './repository.js';

export interface EdgeAppInstancesOptions {
  db: AamDb;
  policy: AccessPolicy;
  catalogue: EdgeAppCatalogueService;
  changes: ChangePublisher;
  /** Late-bound: the runtime starts after the services. */
  runtime?: () => EdgeRuntimeControl | undefined;
  audit?: Audit;
  now?: () => number;
}

export interface ChangeOptions {
  /** `silent=true`: no `evt/edge_app/updated` event. */
  silent?: boolean;
}

const optionalId = z.number().int().nonnegative().nullish().transform((v) => v || undefined);
const bodySchema = z.object({
  app_id: optionalId,
  installation_id: optionalId,
  version: z.string().max(200).nullish().transform((v) => v ?? undefined),
  config: z
    .record(z.string(), z.unknown(), { error: 'expected a JSON object' })
    .nullish()
    .transform((v) => v ?? undefined),
  name: z.string().max(200).nullish().transform((v) => v ?? undefined),
});

export class EdgeAppInstancesService {
  private readonly repo: EdgeAppInstancesRepository;
  private readonly audit: Audit;
  private readonly now: () => number;

  constructor(private readonly opts: EdgeAppInstancesOptions) {
    this.repo = new EdgeAppInstancesRepository(opts.db);
    this.audit = opts.audit ?? noAudit;
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000));
  }

  async list(p: Principal, installationId: number): Promise<EdgeAppInstance[]> {
    this.opts.policy.require(p, 'edge/app/configured/list', installationId);
    return (await this.repo.list(installationId)).map(toJson);
  }

  async get(p: Principal, installationId: number, id: number): Promise<EdgeAppInstance> {
    this.opts.policy.require(p, 'edge/app/configured/list', installationId);
    return toJson(await this.load(installationId, id));
  }

  async create(p: Principal, installationId: number, body: unknown, opts: ChangeOptions = {}): Promise<EdgeAppInstance> {
    const inst = this.opts.policy.require(p, 'edge/app/configured/create_delete', installationId);
    const input = this.parse(body, installationId);
    if (input.app_id === undefined) throw new BadRequestError('invalid app_id: required');
    if (input.version === undefined || input.version === '') throw new BadRequestError('invalid version: required (a release name or a hash)');
    const config = input.config ?? {};
    await this.checkApp(p, inst, input.app_id, input.version, config);
    const record = await this.repo.create(installationId, { appId: input.app_id, version: input.version, config: JSON.stringify(config), name: input.name ?? '' }, this.now());
    await this.changed('create', inst, record, `edge app instance ${record.id} (app ${record.appId} version "${record.version}") created`, opts);
    return toJson(record);
  }

  /** Full-object PUT; absent fields keep their stored values. */
  async update(p: Principal, installationId: number, id: number, body: unknown, opts: ChangeOptions = {}): Promise<EdgeAppInstance> {
    const inst = this.opts.policy.require(p, 'edge/app/configured/update', installationId);
    const input = this.parse(body, installationId);
    const current = await this.load(installationId, id);
    const appId = input.app_id ?? current.appId;
    const version = input.version || current.version;
    const config = input.config ?? parseConfig(current.config);
    await this.checkApp(p, inst, appId, version, config);
    const record = await this.repo.update(id, { appId, version, config: JSON.stringify(config), name: input.name ?? current.name }, Math.max(this.now(), current.updated + 1));
    await this.changed('update', inst, record, `edge app instance ${id} updated`, opts);
    return toJson(record);
  }

  async delete(p: Principal, installationId: number, id: number, opts: ChangeOptions = {}): Promise<MessageResponse> {
    const inst = this.opts.policy.require(p, 'edge/app/configured/create_delete', installationId);
    const current = await this.load(installationId, id);
    if (!(await this.repo.delete(installationId, id))) throw this.notFound(installationId, id);
    await this.changed('delete', inst, current, `edge app instance ${id} deleted`, opts);
    return { message: `edge app instance ${id} deleted` };
  }

  /** Internal, for the runtime: no permission check. */
  async getInstance(id: number): Promise<EdgeAppInstance | null> {
    const record = await this.repo.get(id);
    return record ? toJson(record) : null;
  }

  /** Internal, for the runtime's start-up: every instance of every installation. */
  async listInstances(): Promise<EdgeAppInstance[]> {
    return (await this.repo.listAll()).map(toJson);
  }

  /** Internal, for the runtime: the Lua and app.json of a version (release name or hash). */
  getVersionSource(appId: number, version: string): Promise<EdgeAppSource | null> {
    return this.opts.catalogue.getVersionSource(appId, version);
  }

  /** Installations with an instance of the app (the catalogue lets them download it). */
  installationsUsing(appId: number): Promise<number[]> {
    return this.repo.installationsUsing(appId);
  }

  private parse(body: unknown, installationId: number) {
    const input = parseInput(bodySchema, body ?? {});
    if (input.installation_id !== undefined && input.installation_id !== installationId) {
      throw new BadRequestError(`installation_id ${input.installation_id} in the body does not match installation ${installationId} in the path`);
    }
    return input;
  }

  private async checkApp(p: Principal, inst: IndexedInstallation, appId: number, version: string, config: Record<string, unknown>): Promise<void> {
    const app = await this.opts.catalogue.getRecord(appId);
    if (!app || !(this.opts.catalogue.visible(p, app) || this.opts.catalogue.usableIn(app, inst.organizationId))) {
      throw new BadRequestError(`invalid app_id: edge app ${appId} not found`);
    }
    if (!this.opts.catalogue.usableIn(app, inst.organizationId)) {
      throw new BadRequestError(`invalid app_id: edge app ${appId} is not public and not published for the organization of installation ${inst.id}`);
    }
    const source = await this.opts.catalogue.getVersionSource(appId, version);
    if (!source) throw new BadRequestError(`invalid version: "${version}" is neither a release name nor a hash of edge app ${appId}`);
    checkRequiredInputs(parseAppJson(source.json, 'app.json'), config);
  }

  private async changed(action: TraceAction, inst: IndexedInstallation, record: EdgeAppInstanceRecord, description: string, opts: ChangeOptions): Promise<void> {
    if (!opts.silent) this.opts.changes.changed(inst.clientId, 'edge_app');
    (this.opts.runtime?.() ?? noRuntimeControl).instanceChanged(inst.id, record.id);
    await this.audit.record({ action, objectType: 'edge_app_instance', objectId: record.id, description, installationId: inst.id, organizationId: inst.organizationId });
  }

  private async load(installationId: number, id: number): Promise<EdgeAppInstanceRecord> {
    const record = await this.repo.get(id);
    if (!record || record.installationId !== installationId) throw this.notFound(installationId, id);
    return record;
  }

  private notFound(installationId: number, id: number): NotFoundError {
    return new NotFoundError(`edge app instance ${id} not found in installation ${installationId}`);
  }
}

function parseConfig(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function toJson(r: EdgeAppInstanceRecord): EdgeAppInstance {
  return { id: r.id, app_id: r.appId, installation_id: r.installationId, version: r.version, config: parseConfig(r.config), name: r.name, created: r.created, updated: r.updated };
}
