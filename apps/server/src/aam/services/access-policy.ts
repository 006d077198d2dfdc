// Turns a principal's permission keys into the installations it may act on. Every transport asks
// this one place, so REST, tRPC and MQTT cannot disagree about who sees what.
import { ForbiddenError, NotFoundError } from '../errors.js';
import type { IndexedInstallation, InstallationIndex } from '../installation-index.js';
import type { OrganizationTree } from '../organization-tree.js';
import { isUser, type Principal } from '../principal.js';

export type InstallationReach = { kind: 'all' } | { kind: 'some'; ids: Set<number> };

export class AccessPolicy {
  constructor(
    private readonly installations: InstallationIndex,
    private readonly organizations: OrganizationTree,
  ) {}

  /**
   * Installations reachable through `<family>/all` (organization subtree) and `<family>/assigned`
   * (assignment), e.g. family `devicex/update` or `mqtt/publish`. A principal bound to
   * `installationIds` (a gateway) reaches those, and only those, through either key.
   */
  reach(principal: Principal, family: string): InstallationReach {
    const viaAll = principal.permissions.has(`${family}/all`);
    const viaAssigned = principal.permissions.has(`${family}/assigned`);
    const ids = new Set<number>();
    if (principal.installationIds) {
      if (viaAll || viaAssigned) for (const id of principal.installationIds) if (this.installations.byId(id)) ids.add(id);
      return { kind: 'some', ids };
    }
    if (viaAll) {
      const orgs = this.organizations.subtree(principal.organizationIds);
      // Belonging to every root organization means reaching every installation, now and later.
      const roots = this.organizations.roots();
      if (roots.length > 0 && roots.every((r) => orgs.has(r))) return { kind: 'all' };
      for (const inst of this.installations.all()) if (orgs.has(inst.organizationId)) ids.add(inst.id);
    }
    if (viaAssigned) {
      for (const inst of this.installations.all()) if (inst.userIds.has(principal.userId)) ids.add(inst.id);
    }
    return { kind: 'some', ids };
  }

  can(principal: Principal, family: string, installationId: number): boolean {
    const inst = this.installations.byId(installationId);
    if (!inst) return false;
    // A principal bound to installations (a gateway) holds either scope key on exactly those.
    if (principal.installationIds) {
      return principal.installationIds.has(installationId) && (principal.permissions.has(`${family}/all`) || principal.permissions.has(`${family}/assigned`));
    }
    if (principal.permissions.has(`${family}/all`) && this.organizations.subtree(principal.organizationIds).has(inst.organizationId)) return true;
    return principal.permissions.has(`${family}/assigned`) && inst.userIds.has(principal.userId);
  }

  /**
   * Resolves an installation for an action. An installation the caller cannot even list is
   * reported as not found, so ids of other tenants do not leak; one it can list but not act on
   * gives 403.
   */
  require(principal: Principal, family: string, installationId: number, listFamily = 'installation/list'): IndexedInstallation {
    const inst = this.installations.byId(installationId);
    const visible = inst && (this.can(principal, listFamily, installationId) || this.can(principal, family, installationId));
    if (!inst || !visible) throw new NotFoundError(`installation ${installationId} not found`);
    if (!this.can(principal, family, installationId)) throw new ForbiddenError(`missing permission ${family} on installation ${installationId}`);
    return inst;
  }

  requirePermission(principal: Principal, key: string): void {
    if (!principal.permissions.has(key)) throw new ForbiddenError(`missing permission ${key}`);
  }

  /** For what only a user has (profile, password, tokens); see {@link requireUser}. */
  requireUser(principal: Principal): void {
    requireUser(principal);
  }

  /** For changes to the caller's own account; see {@link requireAccountOwner}. */
  requireAccountOwner(principal: Principal): void {
    requireAccountOwner(principal);
  }

  /** Whether protected meta of an object of `kind` in this installation is visible / editable. */
  protectedMeta(principal: Principal, kind: 'installation' | 'devicex' | 'functionx', installationId: number) {
    return {
      view: this.can(principal, `${kind}/view/protected_meta`, installationId),
      edit: this.can(principal, `${kind}/edit/protected_meta`, installationId),
    };
  }
}

/**
 * Gateways authenticate with installation-bound credentials and have user id 0: "me" would name
 * no user, so user endpoints refuse them plainly instead of answering about user 0.
 */
export function requireUser(principal: Principal): void {
  if (!isUser(principal)) throw new ForbiddenError('this credential belongs to a gateway, not a user: user endpoints are not available to it');
}

/** Own-account changes need the user's full credential: not a gateway, not a token narrowed to a subset. */
export function requireAccountOwner(principal: Principal): void {
  requireUser(principal);
  if (principal.narrowed) {
    throw new ForbiddenError('this API key is restricted to a permission subset: it cannot change its own account (profile, meta, password, two-factor)');
  }
}
