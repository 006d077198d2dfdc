// What the administration services (organizations, users, roles, tokens, passwords) record in
// the trace, on a real store, and who of an organization's readers sees it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Principal } from '../principal.js';
import { runInRequestContext } from '../request-context.js';
import { createAdminFixture, type AdminFixture } from './admin-test-fixture.js';

let f: AdminFixture;

beforeEach(async () => {
  f = await createAdminFixture();
});
afterEach(async () => {
  await f.close();
});

async function lines(p: Principal, query: Record<string, unknown> = {}) {
  return (await f.trace.list(p, { order: 'asc', ...query })).data.map((e) => `${e.action} ${e.object_type} ${e.object_id}: ${e.description}`);
}

describe('administration services in the trace', () => {
  it('record organizations, with a forced delete listing what went with it', async () => {
    const org = await f.orgService.create(f.admin, { name: 'Acme', parent: f.orgs.child });
    await f.orgService.update(f.admin, org.id, { notes: 'n' });
    await f.orgService.updateMeta(f.admin, org.id, 'site', { value: 'north' }, { createMissing: true });
    const sub = await f.orgService.create(f.admin, { name: 'Acme sub', parent: org.id });
    const inst = await f.installations.create(f.admin, { name: 'Acme plant', organization_id: sub.id });
    const member = await f.member('m@example.com', 'user', sub.id);
    await f.orgService.delete(f.admin, org.id, { force: true });
    const mark = (await f.trace.list(f.admin, { order: 'asc', object_type: 'organization', object_id: org.id })).data.map((e) => e.description);
    expect(mark).toEqual([
      `organization "Acme" created in organization ${f.orgs.child}`,
      'organization "Acme" updated',
      'meta key "site" set',
      `organization ${org.id} deleted with 1 sub-organizations, 1 installations and 1 users`,
    ]);
    expect(await lines(f.admin, { action: 'delete' })).toEqual([
      `delete installation ${inst.id}: installation ${inst.id} deleted with organization ${org.id}`,
      `delete user ${member.principal.userId}: user ${member.principal.userId} deleted with organization ${org.id}`,
      `delete organization ${sub.id}: organization ${sub.id} deleted with organization ${org.id}`,
      `delete organization ${org.id}: organization ${org.id} deleted with 1 sub-organizations, 1 installations and 1 users`,
    ]);
    // The child organization's admin keeps seeing what happened below it, though it is gone.
    const childView = await lines(f.childAdmin, { action: 'delete' });
    expect(childView).toHaveLength(4);
  });

  it('record users, their assignments and tokens, and password changes without secrets', async () => {
    const inst = await f.installations.create(f.admin, { name: 'P', organization_id: f.orgs.child });
    const user = await runInRequestContext({ method: 'POST', path: '/api/v2/user', ip: '::1', userId: f.childAdmin.userId }, () =>
      f.usersService.create(f.childAdmin, { email: 'w@example.com', password: 'long-enough-1', organisations: [f.orgs.child] }),
    );
    await f.usersService.update(f.childAdmin, user.id, { assigned_installations: [inst.id], first_name: 'W' });
    await f.usersService.updateMeta(f.childAdmin, user.id, 'team', { value: 'x' }, { createMissing: true });
    await f.passwords.reset(f.childAdmin, user.id, { new_password: 'other-password-2' });
    const token = await f.tokens.create(f.childAdmin, user.id, { name: 'grafana' });
    await f.tokens.delete(f.childAdmin, user.id, token.id);
    await f.usersService.delete(f.childAdmin, user.id);

    const about = await lines(f.childAdmin, { object_type: 'user', object_id: user.id });
    expect(about).toEqual([
      `create user ${user.id}: user ${user.id} (w@example.com) created`,
      `update user ${user.id}: user ${user.id} updated: assigned installations now ${inst.id}`,
      `update user ${user.id}: meta key "team" set`,
      `update user ${user.id}: password changed`,
      `create user ${user.id}: API token ${token.id} created ("grafana")`,
      `delete user ${user.id}: API token ${token.id} deleted`,
      `delete user ${user.id}: user ${user.id} (w@example.com) deleted`,
    ]);
    expect(await lines(f.childAdmin, { object_type: 'installation', object_id: inst.id, action: 'update' })).toEqual([`update installation ${inst.id}: user ${user.id} assigned`]);
    const raw = JSON.stringify(await f.trace.list(f.admin, {}));
    expect(raw).not.toContain(token.token!);
    expect(raw).not.toContain('other-password-2');
    const [created] = (await f.trace.list(f.admin, { object_type: 'user', object_id: user.id, action: 'create', limit: 1, order: 'asc' })).data;
    expect(created).toMatchObject({ user_id: f.childAdmin.userId, path: '/api/v2/user', method: 'POST' });
    // A member of the sibling organization with trace/list sees none of it.
    const sibling = await f.member('s@example.com', 'organization_admin', f.orgs.sibling);
    expect(await lines(sibling.principal, { object_type: 'user', object_id: user.id })).toEqual([]);
  });

  it('record roles for system readers only', async () => {
    const role = await f.roleService.create(f.admin, { name: 'ops', priority: 20, permissions: { 'log/read/all': true } });
    await f.roleService.update(f.admin, role.id, { permissions: { 'log/read/all': true, 'status/read/all': true } });
    await f.roleService.delete(f.admin, role.id);
    expect(await lines(f.admin, { object_type: 'role' })).toEqual([
      `create role ${role.id}: role "ops" created (priority 20)`,
      `update role ${role.id}: role "ops" updated (permissions replaced)`,
      `delete role ${role.id}: role "ops" deleted`,
    ]);
    expect(await lines(f.childAdmin, { object_type: 'role' })).toEqual([]);
  });
});
