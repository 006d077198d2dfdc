// Organizations (spec 1.2, 2.5): a tree mirrored in OrganizationTree, which every `/all` permission
// resolves against, so each committed change of the tree updates it before the call returns.
import type { MessageResponse, MetaObject, Organization, OrganizationMinimal } from '@lynx/shared';
import type { AccessEventHub } from '../access-events.js';
import { noAudit, type Audit, type TraceAction } from '../audit.js';
import { BadRequestError, ForbiddenError, NotFoundError } from '../errors.js';
import type { ChangePublisher } from '../events.js';
import type { InstallationIndex } from '../installation-index.js';
import type { Principal } from '../principal.js';
import type { OrganizationRecord, OrganizationsRepository } from '../repositories/organizations.js';
import type { SettingsRepository } from '../repositories/settings.js';
import type { UsersRepository } from '../repositories/users.js';
import type { AccessPolicy } from './access-policy.js';
import type { AdminScope } from './admin-scope.js';
import { metaForCreate, metaForReplace, parseInput, parseMetaKey, parseMetaObject, planMetaDelete, planMetaWrite, readMetaKey, type MetaRights } from './meta.js';
import { organizationFields, organizationInput, organizationView } from './organization-input.js';
import { passwordResetKey } from './user-passwords.js';

export interface OrganizationsServiceDeps {
  organizations: OrganizationsRepository;
  users: Pick<UsersRepository, 'listInOrganizations'>;
  settings: Pick<SettingsRepository, 'delete'>;
  scope: AdminScope;
  index: InstallationIndex;
  policy: AccessPolicy;
  hub: AccessEventHub;
  changes: ChangePublisher;
  now?: () => number;
  /** Called after an installation is gone (e.g. to drop its stored history). */
  onInstallationDeleted?: (installationId: number, clientId: number) => Promise<void>;
  /** Where committed changes are recorded (spec 1.14). */
  audit?: Audit;
  /** Edge apps published by these organizations: a non-forced delete refuses to take them. */
  publishedApps?: (organizationIds: number[]) => Promise<{ id: number; name: string }[]>;
}

export class OrganizationsService {
  private readonly now: () => number;
  private readonly audit: Audit;

  constructor(private readonly deps: OrganizationsServiceDeps) {
    this.audit = deps.audit ?? noAudit;
    this.now = deps.now ?? (() => Math.floor(Date.now() / 1000));
  }

  private get tree() {
    return this.deps.scope.tree;
  }

  async list(p: Principal, filters: Record<string, string> = {}): Promise<Organization[]> {
    const visible = this.visibleIds(p);
    const rows = await this.deps.organizations.list([...visible]);
    const wanted = Object.entries(filters).filter(([, v]) => v !== '');
    return rows
      .map((r) => this.view(p, r, visible))
      .filter((o) => wanted.every(([key, value]) => (Object.hasOwn(o.meta, key) ? o.meta[key] : o.protected_meta[key]) === value));
  }

  async listMinimal(p: Principal, filters: Record<string, string> = {}): Promise<OrganizationMinimal[]> {
    return (await this.list(p, filters)).map(({ id, name, parent }) => ({ id, name, parent }));
  }

  async get(p: Principal, id: number): Promise<Organization> {
    const visible = this.visibleIds(p);
    return this.view(p, await this.load(visible, id), visible);
  }

  async create(p: Principal, body: unknown): Promise<Organization> {
    this.deps.policy.requirePermission(p, 'organization/create_delete');
    const input = parseInput(organizationInput, body ?? {});
    if (input.name === undefined) throw new BadRequestError('invalid name: required');
    // New roots are not created through the API: the first start makes the one root.
    const parentId = input.parent ?? p.organizationIds[0];
    if (parentId === undefined) throw new BadRequestError('invalid parent: required (you belong to no organization)');
    this.requireInReach(p, parentId, 'parent organization');
    const rights = { view: p.permissions.has('organization/view/protected_meta/all'), edit: p.permissions.has('organization/edit/protected_meta/all') };
    const record = await this.deps.organizations.create(
      { ...organizationFields(input), name: input.name, parentId, meta: metaForCreate(input.meta, input.protected_meta, rights) },
      this.now(),
    );
    this.tree.upsert(record.id, record.parentId);
    await this.trace('create', record.id, `organization "${record.name}" created in organization ${parentId}`);
    return this.view(p, record, this.deps.scope.organizations(p));
  }

  /** Full-object PUT; absent fields keep their values. A changed `parent` moves the subtree. */
  async update(p: Principal, id: number, body: unknown): Promise<Organization> {
    this.deps.policy.requirePermission(p, 'organization/update');
    const input = parseInput(organizationInput, body ?? {});
    const current = await this.load(this.visibleIds(p), id);
    const parentId = input.parent !== undefined && input.parent !== current.parentId ? input.parent : undefined;
    if (parentId !== undefined) {
      if (current.parentId === null) throw new BadRequestError('the root organization cannot be moved');
      this.requireInReach(p, parentId, 'parent organization');
      if (this.tree.isWithin(parentId, id)) throw new BadRequestError(`organization ${parentId} is ${parentId === id ? 'the organization itself' : 'below it'}: moving would create a cycle`);
    }
    const meta = metaForReplace(current.meta, input.meta, input.protected_meta, this.rights(p, id));
    const record = await this.deps.organizations.update(id, { ...organizationFields(input), parentId, meta }, this.now());
    if (parentId !== undefined) {
      this.tree.upsert(id, parentId);
      // Every `/all` reach above the old and the new position changed.
      this.deps.hub.emit({ type: 'access-changed', userId: null });
    }
    await this.trace('update', id, `organization "${record.name}" updated${parentId !== undefined ? `: moved from organization ${current.parentId} to ${parentId}` : ''}`);
    return this.view(p, record, this.visibleIds(p));
  }

  /**
   * Refuses a non-empty organization unless `force`, which deletes the subtree with its
   * installations (devices, functions, history) and the users who belonged only there.
   */
  async delete(p: Principal, id: number, opts: { force?: boolean } = {}): Promise<MessageResponse> {
    this.deps.policy.requirePermission(p, 'organization/create_delete');
    await this.load(this.visibleIds(p), id);
    if (this.tree.parent(id) === null) throw new BadRequestError('the root organization cannot be deleted');
    if (p.organizationIds.some((own) => this.tree.isWithin(own, id))) throw new BadRequestError(`you belong to organization ${id} or one below it and cannot delete it`);
    const subtree = this.tree.subtree([id]);
    const installations = [...this.deps.index.all()].filter((i) => subtree.has(i.organizationId));
    const members = await this.deps.users.listInOrganizations([...subtree]);
    const apps = (await this.deps.publishedApps?.([...subtree])) ?? [];
    if (apps.length > 0 && !opts.force) {
      const names = apps.slice(0, 5).map((a) => `${a.id} "${a.name}"`).join(', ');
      throw new BadRequestError(`organization ${id} publishes ${apps.length} edge apps (${names}${apps.length > 5 ? ', …' : ''}): delete with force=true, which deletes them`);
    }
    if (subtree.size > 1 || installations.length > 0 || members.length > 0) {
      if (!opts.force) {
        throw new BadRequestError(
          `organization ${id} is not empty (${subtree.size - 1} sub-organizations, ${installations.length} installations, ${members.length} users): delete with force=true`,
        );
      }
      await this.requireMayEmpty(p, installations, members);
    }
    // Entries about what is gone are scoped to the surviving parent, whose readers keep seeing them.
    const parent = this.tree.parent(id);
    const deleted = await this.deps.organizations.deleteSubtree(this.leafFirst(subtree));
    for (const org of subtree) this.tree.remove(org);
    for (const inst of deleted.installations) {
      this.deps.index.remove(inst.id);
      this.deps.changes.changed(inst.clientId, 'installation');
      await this.deps.onInstallationDeleted?.(inst.id, inst.clientId);
    }
    const goneUsers = new Set(deleted.users.map((u) => u.id));
    for (const inst of [...this.deps.index.all()]) {
      if (![...inst.userIds].some((u) => goneUsers.has(u))) continue;
      this.deps.index.upsert({ ...inst, userIds: new Set([...inst.userIds].filter((u) => !goneUsers.has(u))) });
    }
    for (const user of deleted.users) {
      await this.deps.settings.delete(passwordResetKey(user.id));
      for (const tokenId of user.tokenIds) this.deps.hub.emit({ type: 'token-revoked', tokenId });
    }
    this.deps.hub.emit({ type: 'access-changed', userId: null });
    for (const inst of deleted.installations) {
      await this.audit.record({ action: 'delete', objectType: 'installation', objectId: inst.id, description: `installation ${inst.id} deleted with organization ${id}`, installationId: inst.id, organizationId: parent });
    }
    for (const user of deleted.users) {
      await this.audit.record({ action: 'delete', objectType: 'user', objectId: user.id, description: `user ${user.id} deleted with organization ${id}`, organizationId: parent });
    }
    for (const org of subtree) {
      if (org !== id) await this.trace('delete', org, `organization ${org} deleted with organization ${id}`, parent);
    }
    const extra = subtree.size > 1 || deleted.installations.length || deleted.users.length;
    const message = `organization ${id} deleted${extra ? ` with ${subtree.size - 1} sub-organizations, ${deleted.installations.length} installations and ${deleted.users.length} users` : ''}`;
    await this.trace('delete', id, message, parent);
    return { message };
  }

  async getMeta(p: Principal, id: number, key: string): Promise<MetaObject> {
    const record = await this.load(this.visibleIds(p), id);
    return readMetaKey(record.meta, parseMetaKey(key), this.rights(p, id));
  }

  async createMeta(p: Principal, id: number, key: string, body: unknown): Promise<MetaObject> {
    return this.writeMeta(p, id, key, body, 'create', false);
  }

  async updateMeta(p: Principal, id: number, key: string, body: unknown, opts: { createMissing?: boolean } = {}): Promise<MetaObject> {
    return this.writeMeta(p, id, key, body, 'update', opts.createMissing ?? false);
  }

  async deleteMeta(p: Principal, id: number, key: string): Promise<MessageResponse> {
    this.deps.policy.requirePermission(p, 'organization/update');
    const record = await this.load(this.visibleIds(p), id);
    const metaKey = parseMetaKey(key);
    planMetaDelete(record.meta, metaKey, this.rights(p, id));
    await this.deps.organizations.deleteMeta(id, metaKey, this.now());
    await this.trace('update', id, `meta key "${metaKey}" deleted`);
    return { message: `meta key "${metaKey}" deleted` };
  }

  private async writeMeta(p: Principal, id: number, key: string, body: unknown, mode: 'create' | 'update', createMissing: boolean): Promise<MetaObject> {
    this.deps.policy.requirePermission(p, 'organization/update');
    const record = await this.load(this.visibleIds(p), id);
    const metaKey = parseMetaKey(key);
    const row = planMetaWrite(record.meta, metaKey, parseMetaObject(body), mode, createMissing, this.rights(p, id));
    await this.deps.organizations.setMeta(id, row, this.now());
    await this.trace('update', id, `meta key "${metaKey}" set${row.protected ? ' (protected)' : ''}`);
    return { value: row.value, protected: row.protected };
  }

  /** Scoped to the organization itself, or to `scope` (its parent) once it is gone. */
  private trace(action: TraceAction, id: number, description: string, scope: number | null = id): Promise<void> {
    return this.audit.record({ action, objectType: 'organization', objectId: id, description, organizationId: scope });
  }

  /** `organization/list/all`: the caller's subtree; `organization/list`: its own organizations. */
  private visibleIds(p: Principal): Set<number> {
    const all = p.permissions.has('organization/list/all');
    if (!all && !p.permissions.has('organization/list')) throw new ForbiddenError('missing permission organization/list');
    return all ? this.deps.scope.organizations(p) : new Set(p.organizationIds.filter((o) => this.tree.has(o)));
  }

  private async load(visible: Set<number>, id: number): Promise<OrganizationRecord> {
    const record = visible.has(id) ? await this.deps.organizations.get(id) : null;
    if (!record) throw new NotFoundError(`organization ${id} not found`);
    return record;
  }

  private requireInReach(p: Principal, id: number, what: string): void {
    if (!this.tree.has(id)) throw new BadRequestError(`${what} ${id} does not exist`);
    if (!this.deps.scope.organizations(p).has(id)) throw new ForbiddenError(`${what} ${id} is outside your organizations`);
  }

  /** `/assigned` protected-meta rights cover the caller's own organizations, `/all` its subtree. */
  private rights(p: Principal, id: number): MetaRights {
    const inSubtree = this.deps.scope.organizations(p).has(id);
    const own = p.organizationIds.includes(id);
    const has = (family: string) => (p.permissions.has(`${family}/all`) && inSubtree) || (p.permissions.has(`${family}/assigned`) && own);
    return { view: has('organization/view/protected_meta'), edit: has('organization/edit/protected_meta') };
  }

  /** A forced delete deletes installations and users too, so it needs the rights to delete those. */
  private async requireMayEmpty(p: Principal, installations: { id: number }[], members: { id: number; roleId: number | null }[]): Promise<void> {
    for (const inst of installations) {
      if (!this.deps.policy.can(p, 'installation/delete', inst.id)) throw new ForbiddenError(`missing permission installation/delete on installation ${inst.id}`);
    }
    if (members.length) this.deps.policy.requirePermission(p, 'user/create/delete');
    for (const user of members) await this.deps.scope.requireOutranks(p, user);
  }

  /** Children before parents, since a parent row may not be deleted while a child points at it. */
  private leafFirst(ids: Set<number>): number[] {
    const depth = (id: number) => {
      let d = 0;
      for (let cur = this.tree.parent(id); cur !== null && d < 10_000; cur = this.tree.parent(cur)) d++;
      return d;
    };
    return [...ids].sort((a, b) => depth(b) - depth(a));
  }

  private view(p: Principal, r: OrganizationRecord, visible: Set<number>): Organization {
    return organizationView(r, { showProtected: this.rights(p, r.id).view, childVisible: (c) => visible.has(c) });
  }
}
