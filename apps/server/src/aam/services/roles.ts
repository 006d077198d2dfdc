// Roles and permissions (spec 1.4). Roles are global and readable by every caller (clients show
// role names); changing them is bounded by priority, and nobody grants a key they do not hold.
import { z } from 'zod';
import { permissionKeys, type MessageResponse, type PermissionMap, type Role } from '@lynx/shared';
import type { AccessEventHub } from '../access-events.js';
import { noAudit, type Audit } from '../audit.js';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from '../errors.js';
import type { Principal } from '../principal.js';
import type { RoleRecord, RolesRepository } from '../repositories/roles.js';
import type { SettingsRepository } from '../repositories/settings.js';
import type { AccessPolicy } from './access-policy.js';
import type { AdminScope } from './admin-scope.js';
import { builtinRoleIds, permissionMap } from './builtin-roles.js';
import { parseInput } from './parse-input.js';

const keep = <T>(v: T | null | undefined): T | undefined => v ?? undefined;
const known = new Set<string>(permissionKeys);

const roleInput = z.object({
  name: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters').nullish().transform(keep),
  priority: z.number().int().min(0).max(1_000_000).nullish().transform(keep),
  permissions: z
    .record(z.string(), z.boolean({ error: 'must be true or false' }))
    .nullish()
    .transform(keep),
});

function parseRole(body: unknown) {
  const input = parseInput(roleInput, body ?? {});
  const unknown = Object.keys(input.permissions ?? {}).find((k) => !known.has(k));
  if (unknown !== undefined) throw new BadRequestError(`invalid permissions: unknown permission key "${unknown}"`);
  return input;
}

export interface RolesServiceDeps {
  roles: RolesRepository;
  settings: Pick<SettingsRepository, 'withPrefix'>;
  scope: AdminScope;
  policy: AccessPolicy;
  hub: AccessEventHub;
  now?: () => number;
  /** Where committed changes are recorded (spec 1.14); roles are global, so only system readers see them. */
  audit?: Audit;
}

export function roleView(r: RoleRecord): Role {
  return { id: r.id, name: r.name, priority: r.priority, permissions: permissionMap(Object.keys(r.permissions).filter((k) => r.permissions[k])) };
}

export class RolesService {
  private readonly now: () => number;
  private readonly audit: Audit;

  constructor(private readonly deps: RolesServiceDeps) {
    this.audit = deps.audit ?? noAudit;
    this.now = deps.now ?? (() => Math.floor(Date.now() / 1000));
  }

  /** `GET /permission`: the caller's effective map, narrowed by its token when that has a subset. */
  permissions(p: Principal): PermissionMap {
    return Object.fromEntries(permissionKeys.map((k) => [k, p.permissions.has(k)]));
  }

  async list(p: Principal): Promise<Role[]> {
    this.deps.policy.requireUser(p);
    return (await this.deps.roles.list()).map(roleView);
  }

  async get(p: Principal, id: number): Promise<Role> {
    this.deps.policy.requireUser(p);
    return roleView(await this.load(id));
  }

  async create(p: Principal, body: unknown): Promise<Role> {
    this.deps.policy.requirePermission(p, 'role/create_delete');
    const input = parseRole(body);
    if (input.name === undefined) throw new BadRequestError('invalid name: required');
    const priority = input.priority ?? 0;
    await this.requirePriority(p, priority);
    const granted = grantedKeys(input.permissions ?? {});
    this.requireHeld(p, granted);
    if (await this.deps.roles.findByName(input.name)) throw new ConflictError(`a role named "${input.name}" already exists`);
    const record = await this.deps.roles.create({ name: input.name, priority, permissions: permissionMap(granted) }, this.now());
    await this.audit.record({ action: 'create', objectType: 'role', objectId: record.id, description: `role "${record.name}" created (priority ${record.priority})` });
    return roleView(record);
  }

  /** Full-object PUT: absent fields keep their values; `permissions`, when sent, replaces the map. */
  async update(p: Principal, id: number, body: unknown): Promise<Role> {
    this.deps.policy.requirePermission(p, 'role/update');
    const input = parseRole(body);
    const current = await this.load(id);
    await this.requirePriority(p, current.priority);
    if (input.priority !== undefined) await this.requirePriority(p, input.priority);
    const granted = input.permissions && grantedKeys(input.permissions);
    // Keys the role already had may be sent back by callers who lack them: only additions count.
    if (granted) this.requireHeld(p, granted.filter((k) => !current.permissions[k]));
    if (input.name !== undefined && input.name !== current.name && (await this.deps.roles.findByName(input.name))) {
      throw new ConflictError(`a role named "${input.name}" already exists`);
    }
    const record = await this.deps.roles.update(id, { name: input.name, priority: input.priority, permissions: granted && permissionMap(granted) }, this.now());
    // Holders' cached MQTT scopes follow their role's permissions.
    if (granted) this.deps.hub.emit({ type: 'access-changed', userId: null });
    await this.audit.record({ action: 'update', objectType: 'role', objectId: id, description: `role "${record.name}" updated${granted ? ' (permissions replaced)' : ''}` });
    return roleView(record);
  }

  async delete(p: Principal, id: number): Promise<MessageResponse> {
    this.deps.policy.requirePermission(p, 'role/create_delete');
    const current = await this.load(id);
    await this.requirePriority(p, current.priority);
    if ((await builtinRoleIds(this.deps.settings)).has(id)) throw new BadRequestError(`role ${id} is built in and cannot be deleted; change its permissions instead`);
    const holders = await this.deps.roles.holderIds(id);
    if (holders.length) throw new BadRequestError(`role ${id} is held by ${holders.length} user(s); give them another role first`);
    if (!(await this.deps.roles.delete(id))) throw new NotFoundError(`role ${id} not found`);
    await this.audit.record({ action: 'delete', objectType: 'role', objectId: id, description: `role "${current.name}" deleted` });
    return { message: `role ${id} deleted` };
  }

  private async load(id: number): Promise<RoleRecord> {
    const role = await this.deps.roles.get(id);
    if (!role) throw new NotFoundError(`role ${id} not found`);
    return role;
  }

  private async requirePriority(p: Principal, priority: number): Promise<void> {
    const mine = await this.deps.scope.priority(p);
    if (priority > mine) throw new ForbiddenError(`priority ${priority} is above your own (${mine})`);
  }

  private requireHeld(p: Principal, keys: readonly string[]): void {
    const missing = keys.find((k) => !p.permissions.has(k));
    if (missing) throw new ForbiddenError(`you cannot grant ${missing}, which you do not have`);
  }
}

function grantedKeys(map: Record<string, boolean>): string[] {
  return Object.keys(map).filter((k) => map[k]);
}
