// The edge-app catalogue (spec 1.12, 2.9): entries published by organizations, their versions
// (app.lua + app.json by hash) and release names. Entries are never deleted, only hidden with
// public=false; a hidden entry is seen only from its publisher's subtree and the organizations
// above it (their administrators).
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { EdgeApp, EdgeAppPublisher, EdgeAppVersion } from '@lynx/shared';
import { noAudit, type Audit, type TraceAction } from '../../../aam/audit.js';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from '../../../aam/errors.js';
import type { OrganizationTree } from '../../../aam/organization-tree.js';
import type { Principal } from '../../../aam/principal.js';
import type { AccessPolicy } from '../../../aam/services/access-policy.js';
import { parseInput } from '../../../aam/services/parse-input.js';
import { EdgeAppCatalogueRepository, type EdgeAppFields, type EdgeAppRecord, type EdgeAppSource, type EdgeAppVersionRecord } from './repository.js';
import { parseAppJson } from './app-json.js';
import type { AamDb } from '../../../aam/store/open-store.js';

export interface EdgeAppCatalogueOptions {
  db: AamDb;
  policy: AccessPolicy;
  organizations: OrganizationTree;
  /** Installations holding an instance of the app (they may download it without `edge/app/list`). */
  installationsUsing: (appId: number) => Promise<number[]>;
  audit?: Audit;
  now?: () => number;
}

// Go clients send every field with zero values; null stands for "not set".
const text = (max: number) => z.string().max(max).nullish().transform((v) => v ?? undefined);
const bodySchema = z.object({
  name: text(200),
  category: text(200),
  tags: z.array(z.string().max(100)).max(100).nullish().transform((v) => v ?? undefined),
  short_description: text(1000),
  description: text(100_000),
  publisher: z
    .object({ id: z.number().int().nonnegative().nullish() })
    .nullish()
    .transform((v) => v?.id || undefined),
  organization_id: z.number().int().nonnegative().nullish().transform((v) => v || undefined),
  official: z.boolean().nullish().transform((v) => v ?? undefined),
  public: z.boolean().nullish().transform((v) => v ?? undefined),
  source_url: text(2000),
});

const publishSchema = z.object({
  name: z.string().trim().min(1, 'a release name is required').max(100),
  hash: z.string().regex(/^[0-9a-f]{64}$/, 'expected the 64-hex-digit hash answered by the upload'),
});

/** sha256 over both parts, with a separator so moving bytes between them changes the hash. */
export function versionHash(source: EdgeAppSource): string {
  return createHash('sha256').update(source.lua, 'utf8').update('\0').update(source.json, 'utf8').digest('hex');
}

export class EdgeAppCatalogueService {
  private readonly repo: EdgeAppCatalogueRepository;
  private readonly audit: Audit;
  private readonly now: () => number;

  constructor(private readonly opts: EdgeAppCatalogueOptions) {
    this.repo = new EdgeAppCatalogueRepository(opts.db);
    this.audit = opts.audit ?? noAudit;
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000));
  }

  async list(p: Principal): Promise<EdgeApp[]> {
    this.opts.policy.requirePermission(p, 'edge/app/list');
    return this.toJsonList((await this.repo.list()).filter((a) => this.visible(p, a)));
  }

  async get(p: Principal, id: number): Promise<EdgeApp> {
    return (await this.toJsonList([await this.readable(p, id)]))[0];
  }

  /** Apps an organization publishes, or with `available` every app it may use. */
  async listForOrganization(p: Principal, organizationId: number, available: boolean): Promise<EdgeApp[]> {
    this.opts.policy.requirePermission(p, 'edge/app/list');
    this.requireSeesOrganization(p, organizationId);
    const tree = this.opts.organizations;
    const apps = (await this.repo.list()).filter((a) => {
      if (!this.visible(p, a)) return false;
      if (!available) return a.organizationId === organizationId;
      return a.public || tree.isWithin(organizationId, a.organizationId) || tree.isWithin(a.organizationId, organizationId);
    });
    return this.toJsonList(apps);
  }

  async publisher(p: Principal, organizationId: number): Promise<EdgeAppPublisher> {
    const apps = await this.listForOrganization(p, organizationId, false);
    const names = await this.repo.organizationNames([organizationId]);
    return { id: organizationId, name: names.get(organizationId) ?? '', apps };
  }

  async create(p: Principal, body: unknown): Promise<EdgeApp> {
    this.opts.policy.requirePermission(p, 'edge/app/create');
    const input = parseInput(bodySchema, body ?? {});
    if (!input.name?.trim()) throw new BadRequestError('invalid name: required');
    const organizationId = input.publisher ?? input.organization_id ?? p.organizationIds[0];
    if (organizationId === undefined) throw new BadRequestError('invalid publisher.id: required (you belong to no organization)');
    this.requireManages(p, organizationId);
    const record = await this.repo.create(
      {
        organizationId,
        name: input.name.trim(),
        category: input.category ?? '',
        tags: input.tags ?? [],
        shortDescription: input.short_description ?? '',
        description: input.description ?? '',
        official: input.official ?? false,
        public: input.public ?? false,
        sourceUrl: input.source_url ?? '',
      },
      this.now(),
    );
    await this.trace('create', record, `edge app "${record.name}" created`);
    return this.get(p, record.id);
  }

  /** Full-object PUT; absent fields keep their stored values. */
  async update(p: Principal, id: number, body: unknown): Promise<EdgeApp> {
    const current = await this.writable(p, id);
    const input = parseInput(bodySchema, body ?? {});
    const organizationId = input.publisher ?? input.organization_id ?? current.organizationId;
    if (organizationId !== current.organizationId) this.requireManages(p, organizationId);
    if (input.name !== undefined && !input.name.trim()) throw new BadRequestError('invalid name: must not be empty');
    const fields: EdgeAppFields = {
      organizationId,
      name: input.name?.trim() ?? current.name,
      category: input.category ?? current.category,
      tags: input.tags ?? current.tags,
      shortDescription: input.short_description ?? current.shortDescription,
      description: input.description ?? current.description,
      official: input.official ?? current.official,
      public: input.public ?? current.public,
      sourceUrl: input.source_url ?? current.sourceUrl,
    };
    const record = await this.repo.update(id, fields, Math.max(this.now(), current.updated + 1));
    const hidden = current.public && !record.public ? ' (hidden: public=false)' : '';
    await this.trace('update', record, `edge app "${record.name}" updated${hidden}`);
    return this.get(p, id);
  }

  /** `untagged` includes versions not published under a release name. */
  async listVersions(p: Principal, id: number, untagged: boolean): Promise<EdgeAppVersion[]> {
    await this.readable(p, id);
    const versions = await this.repo.listVersions(id);
    return versions.filter((v) => untagged || v.name !== '').map(toVersionJson);
  }

  /** For transports: refuse a caller before it sends a large body. */
  async requireUpload(p: Principal, id: number): Promise<void> {
    await this.writable(p, id);
  }

  /** Stores app.lua + app.json; the same pair again answers the same hash and stores nothing. */
  async uploadVersion(p: Principal, id: number, source: { lua?: string; json?: string }): Promise<EdgeAppVersion> {
    const app = await this.writable(p, id);
    if (source.lua === undefined) throw new BadRequestError('missing part app_lua (the app.lua file)');
    if (source.json === undefined) throw new BadRequestError('missing part app_json (the app.json file)');
    if (source.lua.includes('\0')) throw new BadRequestError('app_lua must be text: NUL characters are not allowed');
    if (source.json.includes('\0')) throw new BadRequestError('app_json must be text: NUL characters are not allowed');
    parseAppJson(source.json, 'app_json');
    const full = { lua: source.lua, json: source.json };
    const hash = versionHash(full);
    const existed = await this.repo.getVersion(id, hash);
    const version = await this.repo.addVersion(id, hash, full, this.now());
    if (!existed) await this.trace('update', app, `edge app "${app.name}": version ${hash} uploaded`);
    return toVersionJson(version);
  }

  async publish(p: Principal, id: number, body: unknown): Promise<EdgeAppVersion> {
    const app = await this.writable(p, id);
    const input = parseInput(publishSchema, body ?? {});
    const version = await this.repo.getVersion(id, input.hash);
    if (!version) throw new NotFoundError(`version ${input.hash} not found in edge app ${id}`);
    const holder = await this.repo.getVersionByName(id, input.name);
    if (holder && holder.hash !== input.hash) throw new ConflictError(`release name "${input.name}" is already used by version ${holder.hash} of edge app ${id}`);
    const named = await this.repo.nameVersion(id, input.hash, input.name);
    await this.trace('update', app, `edge app "${app.name}": version ${input.hash} published as "${input.name}"`);
    return toVersionJson(named);
  }

  async download(p: Principal, id: number, version: string | undefined): Promise<string> {
    await this.readable(p, id);
    return (await this.source(id, version)).lua;
  }

  async configure(p: Principal, id: number, version: string | undefined): Promise<Record<string, unknown>> {
    await this.readable(p, id);
    return parseAppJson((await this.source(id, version)).json, 'app.json');
  }

  /** A version by release name first, then by hash; null when neither names one. */
  async resolveVersion(appId: number, version: string): Promise<EdgeAppVersionRecord | null> {
    if (version === '') return null;
    return (await this.repo.getVersionByName(appId, version)) ?? (await this.repo.getVersion(appId, version));
  }

  /** Internal (the runtime, instance checks): no permission check. */
  async getVersionSource(appId: number, version: string): Promise<EdgeAppSource | null> {
    const found = await this.resolveVersion(appId, version);
    return found ? this.repo.getSource(appId, found.hash) : null;
  }

  /** Internal: the record, no permission check. */
  getRecord(id: number): Promise<EdgeAppRecord | null> {
    return this.repo.get(id);
  }

  /** Apps published in these organizations, for the organization delete guard. */
  publishedBy(organizationIds: readonly number[]): Promise<{ id: number; name: string }[]> {
    return this.repo.listPublishedBy(organizationIds);
  }

  /** Public apps, and hidden ones from the publisher's subtree or the organizations above it. */
  visible(p: Principal, app: EdgeAppRecord): boolean {
    if (app.public) return true;
    const tree = this.opts.organizations;
    return p.organizationIds.some((own) => tree.isWithin(own, app.organizationId) || tree.isWithin(app.organizationId, own));
  }

  /** Whether an installation of this organization may run the app. */
  usableIn(app: EdgeAppRecord, organizationId: number): boolean {
    const tree = this.opts.organizations;
    return app.public || tree.isWithin(organizationId, app.organizationId) || tree.isWithin(app.organizationId, organizationId);
  }

  private async source(id: number, version: string | undefined): Promise<EdgeAppSource> {
    if (!version) throw new BadRequestError('invalid version: required (a release name or a hash)');
    const found = await this.getVersionSource(id, version);
    if (!found) throw new NotFoundError(`version "${version}" not found in edge app ${id}`);
    return found;
  }

  /**
   * Readers: `edge/app/list` on a visible app, or anyone who may list the configured apps of an
   * installation running it (gateways download what they run).
   */
  private async readable(p: Principal, id: number): Promise<EdgeAppRecord> {
    const app = await this.repo.get(id);
    if (app && p.permissions.has('edge/app/list') && this.visible(p, app)) return app;
    if (app && (await this.runsWhereVisible(p, id))) return app;
    if (!app || !this.visible(p, app)) throw new NotFoundError(`edge app ${id} not found`);
    throw new ForbiddenError('missing permission edge/app/list');
  }

  /** Whether an installation whose configured apps the caller may list runs this app. */
  private async runsWhereVisible(p: Principal, id: number): Promise<boolean> {
    const using = await this.opts.installationsUsing(id);
    return using.some((inst) => this.opts.policy.can(p, 'edge/app/configured/list', inst));
  }

  /** Writers: `edge/app/update` and administration of the publishing organization. */
  private async writable(p: Principal, id: number): Promise<EdgeAppRecord> {
    const app = await this.repo.get(id);
    if (!app || !(this.visible(p, app) || (await this.runsWhereVisible(p, id)))) throw new NotFoundError(`edge app ${id} not found`);
    this.opts.policy.requirePermission(p, 'edge/app/update');
    this.requireManages(p, app.organizationId);
    return app;
  }

  private requireManages(p: Principal, organizationId: number): void {
    const tree = this.opts.organizations;
    if (!tree.has(organizationId)) throw new BadRequestError(`invalid publisher.id: organization ${organizationId} does not exist`);
    if (!tree.subtree(p.organizationIds).has(organizationId)) throw new ForbiddenError(`organization ${organizationId} is not in your organization subtree: you cannot publish for it`);
  }

  private requireSeesOrganization(p: Principal, organizationId: number): void {
    const tree = this.opts.organizations;
    const sees = tree.has(organizationId) && p.organizationIds.some((own) => tree.isWithin(organizationId, own) || tree.isWithin(own, organizationId));
    if (!sees) throw new NotFoundError(`organization ${organizationId} not found`);
  }

  private async toJsonList(apps: EdgeAppRecord[]): Promise<EdgeApp[]> {
    const names = await this.repo.organizationNames(apps.map((a) => a.organizationId));
    return apps.map((a) => ({
      id: a.id,
      name: a.name,
      category: a.category,
      tags: a.tags,
      short_description: a.shortDescription,
      description: a.description,
      publisher: { id: a.organizationId, name: names.get(a.organizationId) ?? '' },
      official: a.official,
      public: a.public,
      source_url: a.sourceUrl,
      created: a.created,
      updated: a.updated,
    }));
  }

  private trace(action: TraceAction, app: EdgeAppRecord, description: string): Promise<void> {
    return this.audit.record({ action, objectType: 'edge_app', objectId: app.id, description, organizationId: app.organizationId });
  }
}

function toVersionJson(v: EdgeAppVersionRecord): EdgeAppVersion {
  return { name: v.name, hash: v.hash, timestamp: v.timestamp };
}
