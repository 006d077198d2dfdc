// Who may administer whom (spec 1.2, 1.4): organizations from the caller's own down, and users and
// roles whose priority does not exceed the priority of the caller's role. Users, organizations,
// roles and tokens all ask here, so the rule cannot drift between them.
import { BadRequestError, ForbiddenError } from '../errors.js';
import type { OrganizationTree } from '../organization-tree.js';
import type { Principal } from '../principal.js';
import type { RoleRecord, RolesRepository } from '../repositories/roles.js';

export class AdminScope {
  constructor(
    private readonly roles: Pick<RolesRepository, 'get'>,
    readonly tree: OrganizationTree,
  ) {}

  /** The caller's organizations and every organization below them. */
  organizations(p: Principal): Set<number> {
    return this.tree.subtree(p.organizationIds);
  }

  /** Users are visible to themselves and to callers whose subtree holds one of their organizations. */
  seesUser(p: Principal, user: { id: number; organizationIds: readonly number[] }): boolean {
    if (user.id === p.userId) return true;
    const reach = this.organizations(p);
    return user.organizationIds.some((o) => reach.has(o));
  }

  /** A user without a role ranks lowest. */
  async priorityOfRole(roleId: number | null): Promise<number> {
    if (roleId === null) return 0;
    return (await this.roles.get(roleId))?.priority ?? 0;
  }

  async priority(p: Principal): Promise<number> {
    return this.priorityOfRole(p.roleId);
  }

  async requireOutranks(p: Principal, user: { id: number; roleId: number | null }): Promise<void> {
    const [mine, theirs] = await Promise.all([this.priority(p), this.priorityOfRole(user.roleId)]);
    if (theirs > mine) throw new ForbiddenError(`user ${user.id} has a role of higher priority (${theirs}) than yours (${mine})`);
  }

  /** The role exists (400) and does not rank above the caller's own (403). */
  async requireAssignable(p: Principal, roleId: number): Promise<RoleRecord> {
    const role = await this.roles.get(roleId);
    if (!role) throw new BadRequestError(`role ${roleId} does not exist`);
    const mine = await this.priority(p);
    if (role.priority > mine) throw new ForbiddenError(`role ${roleId} has a higher priority (${role.priority}) than yours (${mine})`);
    return role;
  }
}
