// Users (spec 1.3, 2.6). Who sees and manages whom is AdminScope's rule; assignments are mirrored
// into the InstallationIndex, and every change of a user's reach is announced on the hub so MQTT
// connections recompute (or close, when the user is gone).
import type { MessageResponse, MetaObject, User } from '@lynx/shared';
import type { AccessEventHub } from '../access-events.js';
import { noAudit, type Audit, type TraceAction } from '../audit.js';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from '../errors.js';
import type { ChangePublisher } from '../events.js';
import type { InstallationIndex } from '../installation-index.js';
import type { Principal } from '../principal.js';
import type { SettingsRepository } from '../repositories/settings.js';
import type { TokensRepository } from '../repositories/tokens.js';
import type { UserRecord, UsersRepository } from '../repositories/users.js';
import type { AccessPolicy } from './access-policy.js';
import type { AdminScope } from './admin-scope.js';
import { defaultUserRoleId } from './builtin-roles.js';
import { metaForCreate, metaForReplace, parseInput, parseMetaKey, parseMetaObject, planMetaDelete, planMetaWrite, readMetaKey, type MetaRights } from './meta.js';
import { hashPassword } from './secrets.js';
import { changedIds, createUserInput, sameIds, updateUserInput, userView, type CreateUserInput, type UpdateUserInput } from './user-input.js';
import { passwordResetKey } from './user-passwords.js';

export { createUserInput, userView };

export type UserTarget = number | 'me';

export interface UsersServiceDeps {
  users: UsersRepository;
  tokens: Pick<TokensRepository, 'listForUser'>;
  settings: Pick<SettingsRepository, 'get' | 'delete'>;
  scope: AdminScope;
  index: InstallationIndex;
  policy: AccessPolicy;
  hub: AccessEventHub;
  changes?: ChangePublisher;
  now?: () => number;
  /** Where committed changes are recorded (spec 1.14). */
  audit?: Audit;
}

export class UsersService {
  private readonly now: () => number;
  private readonly audit: Audit;

  constructor(private readonly deps: UsersServiceDeps) {
    this.audit = deps.audit ?? noAudit;
    this.now = deps.now ?? (() => Math.floor(Date.now() / 1000));
  }

  async me(p: Principal): Promise<User> {
    this.deps.policy.requireUser(p);
    const user = await this.deps.users.get(p.userId);
    if (!user) throw new NotFoundError('user not found');
    return userView(user, this.rights(p).view);
  }

  /** Users of the caller's organization subtree; every filter is an exact match on a visible meta key. */
  async list(p: Principal, filters: Record<string, string> = {}): Promise<User[]> {
    this.deps.policy.requirePermission(p, 'user/list');
    const rows = await this.deps.users.listInOrganizations([...this.deps.scope.organizations(p)]);
    const wanted = Object.entries(filters).filter(([, v]) => v !== '');
    return rows
      .map((u) => userView(u, this.rights(p).view))
      .filter((u) => wanted.every(([key, value]) => (Object.hasOwn(u.meta, key) ? u.meta[key] : u.protected_meta[key]) === value));
  }

  async get(p: Principal, target: UserTarget): Promise<User> {
    return userView(await this.readable(p, target), this.rights(p).view);
  }

  async create(p: Principal, body: unknown): Promise<User> {
    this.deps.policy.requirePermission(p, 'user/create/delete');
    const input = parseInput(createUserInput, body ?? {});
    const organizationIds = [...new Set(input.organisations ?? p.organizationIds.slice(0, 1))];
    if (organizationIds.length === 0) throw new BadRequestError('invalid organisations: required (you belong to no organization)');
    this.requireOrganizations(p, organizationIds);
    const roleId = input.role ? input.role : await defaultUserRoleId(this.deps.settings);
    if (roleId !== null) await this.deps.scope.requireAssignable(p, roleId);
    const installationIds = [...new Set(input.assigned_installations ?? [])];
    this.requireAssignable(p, installationIds);
    // Checked before anything is written; createRecord itself trusts its input.
    metaForCreate(input.meta, input.protected_meta, this.rights(p));
    const record = await this.createRecord({ ...input, roleId, organizationIds, assigned_installations: installationIds });
    return userView(record, this.rights(p).view);
  }

  /** Creates a user without a caller (first start, CLI). */
  async createRecord(input: CreateUserInput & { roleId: number | null; organizationIds: number[] }): Promise<UserRecord> {
    const email = input.email.trim().toLowerCase();
    if (await this.deps.users.findByEmail(email)) throw new ConflictError(`a user with e-mail ${email} already exists`);
    const installationIds = input.assigned_installations ?? [];
    const record = await this.deps.users.create(
      {
        email,
        passwordHash: await hashPassword(input.password),
        firstName: input.first_name,
        lastName: input.last_name,
        mobile: input.mobile,
        note: input.note,
        roleId: input.roleId,
        smsLogin: input.sms_login,
        street: input.address.address ?? '',
        city: input.address.city ?? '',
        country: input.address.country ?? '',
        zip: input.address.zip ?? '',
        expireAt: input.expire_at,
        organizationIds: input.organizationIds,
        installationIds,
        meta: metaForCreate(input.meta, input.protected_meta, { view: true, edit: true }),
      },
      this.now(),
    );
    this.syncAssignments(record.id, [], installationIds);
    this.deps.hub.emit({ type: 'access-changed', userId: record.id });
    await this.trace('create', record, `user ${record.id} (${record.email}) created`);
    await this.traceAssignments(record.id, [], installationIds);
    return record;
  }

  /**
   * Full-object PUT; absent or null fields keep their values. Nobody changes their own role,
   * organizations or expiry: that would let a user widen its own reach.
   */
  async update(p: Principal, target: UserTarget, body: unknown): Promise<User> {
    const id = target === 'me' ? p.userId : target;
    const input = parseInput(updateUserInput, body ?? {});
    const current = await this.visible(p, id);
    const own = id === p.userId;
    if (own) this.deps.policy.requireAccountOwner(p);
    if (own) refuseOwnReachChange(current, input);
    else {
      this.deps.policy.requirePermission(p, 'user/update');
      await this.deps.scope.requireOutranks(p, current);
    }
    const roleId = input.role !== undefined && input.role !== current.roleId ? (await this.deps.scope.requireAssignable(p, input.role)).id : undefined;
    const organizationIds = input.organisations && !sameIds(input.organisations, current.organizationIds) ? input.organisations : undefined;
    if (organizationIds) this.requireOrganizations(p, changedIds(current.organizationIds, organizationIds));
    const installationIds =
      input.assigned_installations && !sameIds(input.assigned_installations, current.installationIds) ? input.assigned_installations : undefined;
    if (installationIds) this.requireAssignable(p, changedIds(current.installationIds, installationIds));
    const email = input.email;
    if (email !== undefined && email !== current.email && (await this.deps.users.findByEmail(email))) {
      throw new ConflictError(`a user with e-mail ${email} already exists`);
    }
    const record = await this.deps.users.update(
      id,
      {
        email,
        firstName: input.first_name,
        lastName: input.last_name,
        mobile: input.mobile,
        note: input.note,
        roleId,
        smsLogin: input.sms_login,
        street: input.address?.address ?? undefined,
        city: input.address?.city ?? undefined,
        country: input.address?.country ?? undefined,
        zip: input.address?.zip ?? undefined,
        expireAt: input.expire_at,
        organizationIds,
        installationIds,
        meta: metaForReplace(current.meta, input.meta, input.protected_meta, this.rights(p)),
      },
      this.now(),
    );
    if (installationIds) this.syncAssignments(id, current.installationIds, installationIds);
    // The e-mail is part of the cached principal (MQTT identity, two-factor label), so it invalidates too.
    if (roleId !== undefined || organizationIds || installationIds || record.expireAt !== current.expireAt || record.email !== current.email) {
      this.deps.hub.emit({ type: 'access-changed', userId: id });
    }
    await this.trace('update', record, `user ${id} updated${userChangeNotes(current, record)}`);
    if (installationIds) await this.traceAssignments(id, current.installationIds, installationIds);
    return userView(record, this.rights(p).view);
  }

  /** Deletes the user with its tokens, memberships and assignments; its MQTT clients are disconnected. */
  async delete(p: Principal, id: number): Promise<MessageResponse> {
    this.deps.policy.requirePermission(p, 'user/create/delete');
    const current = await this.visible(p, id);
    if (id === p.userId) throw new BadRequestError('you cannot delete yourself');
    await this.deps.scope.requireOutranks(p, current);
    const tokens = await this.deps.tokens.listForUser(id);
    if (!(await this.deps.users.delete(id))) throw new NotFoundError(`user ${id} not found`);
    await this.deps.settings.delete(passwordResetKey(id));
    this.syncAssignments(id, current.installationIds, []);
    for (const t of tokens) this.deps.hub.emit({ type: 'token-revoked', tokenId: t.id });
    this.deps.hub.emit({ type: 'access-changed', userId: id });
    await this.trace('delete', current, `user ${id} (${current.email}) deleted`);
    return { message: `user ${id} deleted` };
  }

  async getMeta(p: Principal, target: UserTarget, key: string): Promise<MetaObject> {
    return readMetaKey((await this.readable(p, target)).meta, parseMetaKey(key), this.rights(p));
  }

  async createMeta(p: Principal, target: UserTarget, key: string, body: unknown): Promise<MetaObject> {
    return this.writeMeta(p, target, key, body, 'create', false);
  }

  async updateMeta(p: Principal, target: UserTarget, key: string, body: unknown, opts: { createMissing?: boolean } = {}): Promise<MetaObject> {
    return this.writeMeta(p, target, key, body, 'update', opts.createMissing ?? false);
  }

  async deleteMeta(p: Principal, target: UserTarget, key: string): Promise<MessageResponse> {
    const user = await this.writable(p, target);
    const metaKey = parseMetaKey(key);
    planMetaDelete(user.meta, metaKey, this.rights(p));
    await this.deps.users.deleteMeta(user.id, metaKey, this.now());
    await this.trace('update', user, `meta key "${metaKey}" deleted`);
    return { message: `meta key "${metaKey}" deleted` };
  }

  private async writeMeta(p: Principal, target: UserTarget, key: string, body: unknown, mode: 'create' | 'update', createMissing: boolean): Promise<MetaObject> {
    const user = await this.writable(p, target);
    const metaKey = parseMetaKey(key);
    const row = planMetaWrite(user.meta, metaKey, parseMetaObject(body), mode, createMissing, this.rights(p));
    await this.deps.users.setMeta(user.id, row, this.now());
    await this.trace('update', user, `meta key "${metaKey}" set${row.protected ? ' (protected)' : ''}`);
    return { value: row.value, protected: row.protected };
  }

  /** Scoped to the user's first organization, so that organization's trace readers see it. */
  private trace(action: TraceAction, user: Pick<UserRecord, 'id' | 'organizationIds'>, description: string): Promise<void> {
    return this.audit.record({ action, objectType: 'user', objectId: user.id, description, organizationId: user.organizationIds[0] ?? null });
  }

  /** An assignment is also a change of the installation, recorded there for its readers. */
  private async traceAssignments(userId: number, before: readonly number[], after: readonly number[]): Promise<void> {
    const now = new Set(after);
    for (const id of changedIds(before, after)) {
      const inst = this.deps.index.byId(id);
      const description = `user ${userId} ${now.has(id) ? 'assigned' : 'unassigned'}`;
      await this.audit.record({ action: 'update', objectType: 'installation', objectId: id, description, installationId: id, organizationId: inst?.organizationId ?? null });
    }
  }

  /** Unknown users and users outside the caller's subtree are both "not found", so ids do not leak. */
  private async visible(p: Principal, id: number): Promise<UserRecord> {
    this.deps.policy.requireUser(p);
    const user = await this.deps.users.get(id);
    if (!user || !this.deps.scope.seesUser(p, user)) throw new NotFoundError(`user ${id} not found`);
    return user;
  }

  private async readable(p: Principal, target: UserTarget): Promise<UserRecord> {
    const id = target === 'me' ? p.userId : target;
    if (id !== p.userId) this.deps.policy.requirePermission(p, 'user/list');
    return this.visible(p, id);
  }

  private async writable(p: Principal, target: UserTarget): Promise<UserRecord> {
    const id = target === 'me' ? p.userId : target;
    const user = await this.visible(p, id);
    if (id === p.userId) this.deps.policy.requireAccountOwner(p);
    else {
      this.deps.policy.requirePermission(p, 'user/update');
      await this.deps.scope.requireOutranks(p, user);
    }
    return user;
  }

  private rights(p: Principal): MetaRights {
    return { view: p.permissions.has('user/view/protected_meta/all'), edit: p.permissions.has('user/edit/protected_meta/all') };
  }

  private requireOrganizations(p: Principal, organizationIds: readonly number[]): void {
    const reach = this.deps.scope.organizations(p);
    for (const org of organizationIds) {
      if (!this.deps.scope.tree.has(org)) throw new BadRequestError(`organization ${org} does not exist`);
      if (!reach.has(org)) throw new ForbiddenError(`organization ${org} is outside your organizations`);
    }
  }

  /** Assigning a user to an installation, or taking it away, is a change of that installation. */
  private requireAssignable(p: Principal, installationIds: readonly number[]): void {
    for (const id of installationIds) {
      // Missing and invisible installations answer alike, so other tenants' ids do not leak.
      const visible = this.deps.index.byId(id) && (this.deps.policy.can(p, 'installation/list', id) || this.deps.policy.can(p, 'installation/update', id));
      if (!visible) throw new BadRequestError(`invalid assigned_installations: installation ${id} does not exist`);
      if (!this.deps.policy.can(p, 'installation/update', id)) throw new ForbiddenError(`missing permission installation/update on installation ${id}`);
    }
  }

  private syncAssignments(userId: number, before: readonly number[], after: readonly number[]): void {
    const now = new Set(after);
    for (const id of changedIds(before, after)) {
      const inst = this.deps.index.byId(id);
      if (!inst) continue;
      const userIds = new Set(inst.userIds);
      if (now.has(id)) userIds.add(userId);
      else userIds.delete(userId);
      this.deps.index.upsert({ ...inst, userIds });
      this.deps.changes?.changed(inst.clientId, 'installation');
    }
  }
}

/** What an update changed of the user's reach, for its trace line. */
function userChangeNotes(before: UserRecord, after: UserRecord): string {
  const notes: string[] = [];
  if (before.email !== after.email) notes.push(`e-mail changed from ${before.email} to ${after.email}`);
  if (before.roleId !== after.roleId) notes.push(`role changed from ${before.roleId ?? 'none'} to ${after.roleId ?? 'none'}`);
  if (!sameIds(before.organizationIds, after.organizationIds)) notes.push(`organisations now ${after.organizationIds.join(', ') || 'none'}`);
  if (!sameIds(before.installationIds, after.installationIds)) notes.push(`assigned installations now ${after.installationIds.join(', ') || 'none'}`);
  if (before.expireAt !== after.expireAt) notes.push(`expire_at now ${after.expireAt}`);
  return notes.length ? `: ${notes.join('; ')}` : '';
}

function refuseOwnReachChange(current: UserRecord, input: UpdateUserInput): void {
  if (input.role !== undefined && input.role !== current.roleId) throw new ForbiddenError('you cannot change your own role');
  if (input.organisations && !sameIds(input.organisations, current.organizationIds)) throw new ForbiddenError('you cannot change your own organisations');
  if (input.expire_at !== undefined && input.expire_at !== current.expireAt) throw new ForbiddenError('you cannot change your own expire_at');
}
