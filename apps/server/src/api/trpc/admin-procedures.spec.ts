// The organization, user, role and permission procedures through createCallerFactory, on the
// administration services of a real store.
import { beforeEach, describe, expect, it } from 'vitest';
import type { AdminFixture } from '../../aam/services/admin-test-fixture.js';
import { useAdminCallers } from './trpc-test-fixture.js';

const { fixture, caller } = useAdminCallers();
let f: AdminFixture;
beforeEach(() => {
  f = fixture();
});

describe('administration procedures', () => {
  it('manage organizations', async () => {
    const admin = caller(f.admin);
    const org = await admin.organizations.create({ name: 'Acme', parent: f.orgs.child });
    expect(await admin.organizations.get({ id: org.id })).toEqual(org);
    expect((await admin.organizations.update({ id: org.id, data: { notes: 'n' } })).notes).toBe('n');
    expect((await admin.organizations.list()).map((o) => o.id)).toContain(org.id);
    expect(await admin.organizations.tree()).toContainEqual({ id: org.id, name: 'Acme', parent: f.orgs.child });
    expect((await admin.organizations.forcePasswordReset({ organizationId: org.id })).message).toMatch(/^0 user/);
    expect((await admin.organizations.delete({ id: org.id })).message).toMatch(/deleted/);
    await expect(admin.organizations.get({ id: org.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(caller(f.user).organizations.create({ name: 'x' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(caller(null).organizations.list()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('manage users and passwords', async () => {
    const child = caller(f.childAdmin);
    const user = await child.users.create({ email: 'w@example.com', password: 'long-enough' });
    expect(user.organisations).toEqual([f.orgs.child]);
    expect((await child.users.list()).map((u) => u.email)).toEqual(['child@example.com', 'w@example.com']);
    expect((await child.users.update({ id: user.id, data: { first_name: 'W' } })).first_name).toBe('W');
    expect((await child.users.get({ id: user.id })).first_name).toBe('W');
    expect((await child.users.setPassword({ id: user.id, new_password: 'other-password' })).message).toMatch(/changed/);
    await expect(child.users.update({ id: user.id, data: { role: f.roles.admin.id } })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await child.users.delete({ id: user.id })).message).toMatch(/deleted/);
    expect((await caller(f.user).updateMe({ first_name: 'Me' })).first_name).toBe('Me');
    await expect(caller(f.user).changeOwnPassword({ current_password: 'wrong', new_password: 'new-password' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('manage roles and report permissions', async () => {
    const admin = caller(f.admin);
    const role = await admin.roles.create({ name: 'ops', priority: 20, permissions: { 'log/read/all': true } });
    expect(await admin.roles.get({ id: role.id })).toEqual(role);
    expect((await admin.roles.update({ id: role.id, data: { priority: 30 } })).priority).toBe(30);
    expect((await admin.roles.list()).length).toBe(5);
    expect((await admin.roles.delete({ id: role.id })).message).toMatch(/deleted/);
    await expect(admin.roles.create({ name: 'x', permissions: { nope: true } })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const perms = await caller(f.user).permissions();
    expect(perms['installation/list/assigned']).toBe(true);
    expect(perms['installation/list/all']).toBe(false);
  });
});
