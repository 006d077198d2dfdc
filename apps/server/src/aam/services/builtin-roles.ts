// The roles every server has (spec 1.4). Each is found again by a marker holding its id, so an
// administrator may rename or re-permission a built-in role and a restart never undoes that.
import { assignedUserPermissions, organizationAdminPermissions, permissionKeys, viewerPermissions } from '@lynx/shared';
import type { RoleRecord, RolesRepository } from '../repositories/roles.js';
import type { SettingsRepository } from '../repositories/settings.js';

export type BuiltinRole = 'admin' | 'organization_admin' | 'user' | 'viewer';

const definitions: { key: BuiltinRole; name: string; priority: number; permissions: readonly string[] }[] = [
  { key: 'admin', name: 'admin', priority: 100, permissions: permissionKeys },
  { key: 'organization_admin', name: 'organization admin', priority: 50, permissions: organizationAdminPermissions },
  { key: 'user', name: 'user', priority: 10, permissions: assignedUserPermissions },
  { key: 'viewer', name: 'viewer', priority: 5, permissions: viewerPermissions },
];

const markerPrefix = 'role.builtin.';

/** Every key, on or off, so a stored role reads the same whatever keys later versions add. */
export function permissionMap(granted: Iterable<string>): Record<string, boolean> {
  const on = new Set(granted);
  return Object.fromEntries(permissionKeys.map((k) => [k, on.has(k)]));
}

/**
 * Creates the built-in roles this data dir lacks. A role already there (by marker, else by name,
 * for data dirs from before the markers) is adopted as it is.
 */
export async function ensureBuiltinRoles(
  roles: Pick<RolesRepository, 'get' | 'findByName' | 'create'>,
  settings: Pick<SettingsRepository, 'get' | 'set'>,
  now: number,
): Promise<Record<BuiltinRole, RoleRecord>> {
  const out = {} as Record<BuiltinRole, RoleRecord>;
  for (const def of definitions) {
    const marked = Number((await settings.get(markerPrefix + def.key)) ?? NaN);
    let role = Number.isInteger(marked) ? await roles.get(marked) : null;
    role ??= await roles.findByName(def.name);
    role ??= await roles.create({ name: def.name, priority: def.priority, permissions: permissionMap(def.permissions) }, now);
    if (role.id !== marked) await settings.set(markerPrefix + def.key, String(role.id));
    out[def.key] = role;
  }
  return out;
}

/** Ids of the built-in roles, which cannot be deleted (new users and the first admin rely on them). */
export async function builtinRoleIds(settings: Pick<SettingsRepository, 'withPrefix'>): Promise<Set<number>> {
  return new Set((await settings.withPrefix(markerPrefix)).map((s) => Number(s.value)));
}

/** The role new users get when none is given: the built-in "user" role, wherever it is now. */
export async function defaultUserRoleId(settings: Pick<SettingsRepository, 'get'>): Promise<number | null> {
  const id = Number((await settings.get(`${markerPrefix}user`)) ?? NaN);
  return Number.isInteger(id) ? id : null;
}
