import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { assignedUserPermissions, organizationAdminPermissions, permissionKeys, permissionMapSchema, roleSchema, viewerPermissions } from '@lynx/shared';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from '../errors.js';
import type { Principal } from '../principal.js';
import { createAdminFixture, type AdminFixture } from './admin-test-fixture.js';
import { ensureBuiltinRoles } from './builtin-roles.js';

let f: AdminFixture;
beforeEach(async () => {
  f = await createAdminFixture();
});
afterEach(async () => {
  await f.close();
});

const granted = (map: Record<string, boolean>) => Object.keys(map).filter((k) => map[k]);

describe('built-in roles', () => {
  it('exist with their priorities and permission sets, every key present in the map', async () => {
    const roles = await f.roleService.list(f.user);
    z.array(roleSchema.strict()).parse(roles);
    expect(roles.map((r) => [r.name, r.priority])).toEqual([
      ['admin', 100],
      ['organization admin', 50],
      ['user', 10],
      ['viewer', 5],
    ]);
    for (const r of roles) expect(Object.keys(r.permissions).sort()).toEqual([...permissionKeys].sort());
    expect(granted(roles[0].permissions)).toEqual([...permissionKeys]);
    expect(granted(roles[1].permissions)).toEqual(organizationAdminPermissions);
    expect(granted(roles[1].permissions)).not.toContain('role/create_delete');
    expect(granted(roles[2].permissions)).toEqual(assignedUserPermissions);
    expect(granted(roles[3].permissions)).toEqual(viewerPermissions);
    expect(granted(roles[3].permissions).every((k) => !/create|update|delete|publish|edit/.test(k) || k === 'user/security/token/create_delete')).toBe(true);
  });

  it('are added to existing data without undoing an administrator’s changes', async () => {
    await f.roleService.update(f.admin, f.roles.viewer.id, { name: 'readers', priority: 7, permissions: { 'status/read/assigned': true } });
    // A data dir from before the viewer and organization admin roles (and before the markers).
    await f.db.setting.deleteMany({ where: { key: { startsWith: 'role.builtin.' } } });
    await f.db.user.updateMany({ where: { roleId: f.roles.organization_admin.id }, data: { roleId: f.roles.user.id } });
    await f.db.role.delete({ where: { id: f.roles.organization_admin.id } });
    const again = await ensureBuiltinRoles(f.repos.roles, f.repos.settings, 1);
    expect(again.admin.id).toBe(f.roles.admin.id);
    expect(again.user.id).toBe(f.roles.user.id);
    expect(again.organization_admin.id).not.toBe(f.roles.organization_admin.id);
    // "readers" lost its marker and its name, so a new "viewer" is created beside it, untouched.
    const readers = await f.roleService.get(f.admin, f.roles.viewer.id);
    expect(readers).toMatchObject({ name: 'readers', priority: 7 });
    expect(granted(readers.permissions)).toEqual(['status/read/assigned']);
    // With the markers in place, a renamed role is found again and left as it is.
    await f.roleService.update(f.admin, again.viewer.id, { name: 'watchers' });
    const third = await ensureBuiltinRoles(f.repos.roles, f.repos.settings, 2);
    expect(third.viewer).toMatchObject({ id: again.viewer.id, name: 'watchers' });
    expect((await f.roleService.list(f.admin)).map((r) => r.name)).toEqual(['admin', 'user', 'readers', 'organization admin', 'watchers']);
  });
});

describe('RolesService', () => {
  it('creates, updates and deletes roles, validating permission keys', async () => {
    const created = await f.roleService.create(f.admin, { name: 'ops', priority: 20, permissions: { 'installation/list/all': true, 'log/read/all': false } });
    roleSchema.strict().parse(created);
    expect(created).toMatchObject({ name: 'ops', priority: 20 });
    expect(granted(created.permissions)).toEqual(['installation/list/all']);
    expect(await f.roleService.get(f.user, created.id)).toEqual(created);
    await expect(f.roleService.create(f.admin, { name: 'bad', permissions: { 'installation/fly': true } })).rejects.toThrow(/unknown permission key "installation\/fly"/);
    await expect(f.roleService.create(f.admin, { name: 'bad', permissions: { 'log/read/all': 'yes' } })).rejects.toThrow(BadRequestError);
    await expect(f.roleService.create(f.admin, { name: 'bad', permissions: 'all' })).rejects.toThrow(BadRequestError);
    await expect(f.roleService.create(f.admin, { priority: 1 })).rejects.toThrow(/name/);
    await expect(f.roleService.create(f.admin, { name: 'ops' })).rejects.toThrow(ConflictError);

    const updated = await f.roleService.update(f.admin, created.id, { ...created, name: 'operators', permissions: { 'log/read/all': true } });
    expect(updated).toMatchObject({ id: created.id, name: 'operators', priority: 20 });
    expect(granted(updated.permissions)).toEqual(['log/read/all']);
    expect(await f.roleService.update(f.admin, created.id, {})).toEqual(updated);
    await expect(f.roleService.update(f.admin, created.id, { name: 'admin' })).rejects.toThrow(ConflictError);
    await expect(f.roleService.update(f.admin, 4242, {})).rejects.toThrow(NotFoundError);

    expect((await f.roleService.delete(f.admin, created.id)).message).toMatch(/deleted/);
    await expect(f.roleService.get(f.admin, created.id)).rejects.toThrow(NotFoundError);
    await expect(f.roleService.delete(f.admin, f.roles.viewer.id)).rejects.toThrow(/built in/);
    const used = await f.roleService.create(f.admin, { name: 'used' });
    await f.usersService.create(f.admin, { email: 'u@example.com', password: 'long-enough', role: used.id });
    await expect(f.roleService.delete(f.admin, used.id)).rejects.toThrow(/held by 1 user/);
  });

  it('keeps roles within the caller’s priority and permissions', async () => {
    // An organization admin that was also given role management.
    const manager: Principal = { ...f.childAdmin, permissions: new Set([...f.childAdmin.permissions, 'role/create_delete', 'role/update']) };
    await expect(f.roleService.create(manager, { name: 'too high', priority: 60 })).rejects.toThrow(/priority 60 is above your own \(50\)/);
    await expect(f.roleService.create(manager, { name: 'too wide', permissions: { 'trace/list/system': true } })).rejects.toThrow(/cannot grant trace\/list\/system/);
    await expect(f.roleService.update(manager, f.roles.admin.id, { name: 'mine' })).rejects.toThrow(ForbiddenError);
    await expect(f.roleService.delete(manager, f.roles.admin.id)).rejects.toThrow(ForbiddenError);
    const own = await f.roleService.create(manager, { name: 'helpers', priority: 40, permissions: { 'installation/list/all': true } });
    await expect(f.roleService.update(manager, own.id, { priority: 51 })).rejects.toThrow(ForbiddenError);

    // A key the role already has may be sent back by a caller who lacks it; adding one may not.
    const wide = await f.roleService.create(f.admin, { name: 'wide', priority: 30, permissions: { 'trace/list/system': true } });
    f.events.length = 0;
    const kept = await f.roleService.update(manager, wide.id, { permissions: { ...wide.permissions, 'installation/list/all': true } });
    expect(granted(kept.permissions)).toEqual(['installation/list/all', 'trace/list/system']);
    expect(f.events).toEqual([{ type: 'access-changed', userId: null }]);
    await expect(f.roleService.update(manager, wide.id, { permissions: { 'oauth2_client/admin/update': true } })).rejects.toThrow(ForbiddenError);
    await expect(f.roleService.create(f.user, { name: 'x' })).rejects.toThrow(ForbiddenError);
    await expect(f.roleService.update(f.user, wide.id, {})).rejects.toThrow(ForbiddenError);
  });

  it('reports the caller’s effective permission map, narrowed by the token', async () => {
    const map = f.roleService.permissions(f.user);
    permissionMapSchema.parse(map);
    expect(Object.keys(map).sort()).toEqual([...permissionKeys].sort());
    expect(granted(map)).toEqual(assignedUserPermissions);
    const token = await f.tokens.create(f.user, 'me', { name: 'narrow', permissions: ['status/read/assigned'] });
    const narrowed = await f.auth.authenticateToken(token.token!);
    expect(granted(f.roleService.permissions(narrowed!))).toEqual(['status/read/assigned']);
  });
});
