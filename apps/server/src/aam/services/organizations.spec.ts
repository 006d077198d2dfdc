import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { messageResponseSchema, metaObjectSchema, organizationMinimalSchema, organizationSchema } from '@lynx/shared';
import { BadRequestError, ForbiddenError, NotFoundError } from '../errors.js';
import type { Principal } from '../principal.js';
import { createAdminFixture, type AdminFixture } from './admin-test-fixture.js';

let f: AdminFixture;
beforeEach(async () => {
  f = await createAdminFixture();
});
afterEach(async () => {
  await f.close();
});

const withPermissions = (p: Principal, keys: string[]): Principal => ({ ...p, permissions: new Set(keys) });

describe('OrganizationsService CRUD', () => {
  it('creates, reads and updates organizations in the Lynx shape', async () => {
    const created = await f.orgService.create(f.admin, {
      name: 'Acme',
      parent: f.orgs.child,
      email: 'ops@acme.test',
      phone: '+46',
      notes: 'n',
      address: { address: 'Street 1', city: 'Lund', country: 'SE', zip: '22100' },
      force_sms_login: true,
      password_valid_days: 90,
      meta: { region: 'south', n: 3 },
      protected_meta: { contract: 'gold' },
    });
    organizationSchema.strict().parse(created);
    expect(created).toEqual({
      id: created.id,
      name: 'Acme',
      address: { address: 'Street 1', city: 'Lund', country: 'SE', zip: '22100' },
      email: 'ops@acme.test',
      phone: '+46',
      notes: 'n',
      force_sms_login: true,
      parent: f.orgs.child,
      children: [],
      password_valid_days: 90,
      meta: { region: 'south', n: '3' },
      protected_meta: { contract: 'gold' },
    });
    expect(f.organizations.parent(created.id)).toBe(f.orgs.child);
    expect(await f.orgService.get(f.admin, created.id)).toEqual(created);
    expect((await f.orgService.get(f.admin, f.orgs.child)).children).toEqual([{ id: created.id, name: 'Acme' }]);
    expect((await f.orgService.get(f.admin, f.orgs.root)).parent).toBe(0);

    // Go clients send the whole object back with the changed fields, zero values included.
    const updated = await f.orgService.update(f.admin, created.id, { ...created, name: 'Acme AB', parent: 0, meta: null, address: { ...created.address, city: 'Malmö' } });
    expect(updated).toEqual({ ...created, name: 'Acme AB', address: { ...created.address, city: 'Malmö' } });
    expect(await f.orgService.update(f.admin, created.id, {})).toEqual(updated);
  });

  it('lists the subtree with organization/list/all, own organizations with organization/list, and the minimal form', async () => {
    const below = await f.orgService.create(f.admin, { name: 'below', parent: f.orgs.child, meta: { kind: 'x' } });
    const ids = async (p: Principal, filters?: Record<string, string>) => (await f.orgService.list(p, filters)).map((o) => o.id);
    expect(await ids(f.admin)).toEqual([f.orgs.root, f.orgs.child, f.orgs.sibling, below.id]);
    expect(await ids(f.childAdmin)).toEqual([f.orgs.child, below.id]);
    expect(await ids(f.admin, { kind: 'x' })).toEqual([below.id]);
    expect(await ids(f.admin, { kind: 'y' })).toEqual([]);
    const own = withPermissions(f.childAdmin, ['organization/list']);
    expect(await ids(own)).toEqual([f.orgs.child]);
    // Children the caller cannot list are not named to it.
    expect((await f.orgService.get(own, f.orgs.child)).children).toEqual([]);
    await expect(f.orgService.get(own, below.id)).rejects.toThrow(NotFoundError);
    await expect(f.orgService.list(f.user)).rejects.toThrow(ForbiddenError);

    const minimal = await f.orgService.listMinimal(f.admin);
    z.array(organizationMinimalSchema.strict()).parse(minimal);
    expect(minimal).toEqual([
      { id: f.orgs.root, name: 'root', parent: 0 },
      { id: f.orgs.child, name: 'child', parent: f.orgs.root },
      { id: f.orgs.sibling, name: 'sibling', parent: f.orgs.root },
      { id: below.id, name: 'below', parent: f.orgs.child },
    ]);
  });

  it('creates only below the caller’s organizations, with permission and valid input', async () => {
    const own = await f.orgService.create(f.childAdmin, { name: 'default parent' });
    expect(own.parent).toBe(f.orgs.child);
    await expect(f.orgService.create(f.childAdmin, { name: 'x', parent: f.orgs.sibling })).rejects.toThrow(ForbiddenError);
    await expect(f.orgService.create(f.user, { name: 'x' })).rejects.toThrow(ForbiddenError);
    await expect(f.orgService.create(f.admin, { name: 'x', parent: 9999 })).rejects.toThrow(BadRequestError);
    await expect(f.orgService.create(f.admin, {})).rejects.toThrow(/name/);
    await expect(f.orgService.create(f.admin, { name: 'x'.repeat(300) })).rejects.toThrow(BadRequestError);
    await expect(f.orgService.create(f.admin, { name: 'x', meta: { a: { b: 1 } } })).rejects.toThrow(BadRequestError);
    await expect(f.orgService.create(f.admin, [])).rejects.toThrow(BadRequestError);
  });

  it('moves an organization with its subtree, never into itself', async () => {
    const a = await f.orgService.create(f.admin, { name: 'a', parent: f.orgs.child });
    const b = await f.orgService.create(f.admin, { name: 'b', parent: a.id });
    await expect(f.orgService.update(f.admin, a.id, { parent: b.id })).rejects.toThrow(/cycle/);
    await expect(f.orgService.update(f.admin, a.id, { parent: a.id })).rejects.toThrow(/cycle/);
    await expect(f.orgService.update(f.admin, f.orgs.root, { parent: f.orgs.child })).rejects.toThrow(/root/);
    await expect(f.orgService.update(f.childAdmin, a.id, { parent: f.orgs.sibling })).rejects.toThrow(ForbiddenError);
    await expect(f.orgService.update(f.childAdmin, f.orgs.sibling, { name: 'mine now' })).rejects.toThrow(NotFoundError);
    await expect(f.orgService.update(f.user, f.orgs.root, { name: 'x' })).rejects.toThrow(ForbiddenError);

    f.events.length = 0;
    const moved = await f.orgService.update(f.admin, a.id, { parent: f.orgs.sibling });
    expect(moved.parent).toBe(f.orgs.sibling);
    expect(f.organizations.isWithin(b.id, f.orgs.sibling)).toBe(true);
    expect(f.events).toEqual([{ type: 'access-changed', userId: null }]);
    // The child organization's admin no longer reaches what moved away.
    expect((await f.orgService.list(f.childAdmin)).map((o) => o.id)).toEqual([f.orgs.child]);
  });
});

describe('OrganizationsService delete', () => {
  it('refuses a non-empty organization without force and deletes an empty one', async () => {
    const parent = await f.orgService.create(f.admin, { name: 'parent' });
    const kid = await f.orgService.create(f.admin, { name: 'kid', parent: parent.id });
    await expect(f.orgService.delete(f.admin, parent.id)).rejects.toThrow(/not empty \(1 sub-organizations, 0 installations, 0 users\).*force=true/);
    const withInstallation = await f.orgService.create(f.admin, { name: 'with installation' });
    await f.installations.create(f.admin, { name: 'i', organization_id: withInstallation.id });
    await expect(f.orgService.delete(f.admin, withInstallation.id)).rejects.toThrow(/1 installations/);
    const withMember = await f.orgService.create(f.admin, { name: 'with member' });
    await f.member('m@example.com', 'user', withMember.id);
    await expect(f.orgService.delete(f.admin, withMember.id)).rejects.toThrow(/1 users/);

    const res = await f.orgService.delete(f.admin, kid.id);
    messageResponseSchema.strict().parse(res);
    expect(f.organizations.has(kid.id)).toBe(false);
    await expect(f.orgService.get(f.admin, kid.id)).rejects.toThrow(NotFoundError);
    await f.orgService.delete(f.admin, parent.id);
  });

  it('with force deletes the subtree, its installations and devices, and users who belonged only there', async () => {
    const top = await f.orgService.create(f.admin, { name: 'top' });
    const leaf = await f.orgService.create(f.admin, { name: 'leaf', parent: top.id });
    const onlyHere = await f.member('only@example.com', 'user', leaf.id);
    const apiKey = await f.login(onlyHere.principal.userId, 'api');
    const elsewhere = await f.member('both@example.com', 'user', leaf.id);
    await f.usersService.update(f.admin, elsewhere.principal.userId, { organisations: [leaf.id, f.orgs.sibling] });
    const doomed = await f.installations.create(f.admin, { name: 'doomed', organization_id: leaf.id, users: [onlyHere.principal.userId] });
    await f.devices.create(f.admin, doomed.id, { type: 'd', meta: { a: 'b' } });
    await f.functions.create(f.admin, doomed.id, { type: 'f' });
    const kept = await f.installations.create(f.admin, { name: 'kept', organization_id: f.orgs.sibling, users: [onlyHere.principal.userId, elsewhere.principal.userId] });
    f.events.length = 0;
    f.changes.length = 0;

    const res = await f.orgService.delete(f.admin, top.id, { force: true });
    expect(res.message).toBe(`organization ${top.id} deleted with 1 sub-organizations, 1 installations and 1 users`);
    expect([f.organizations.has(top.id), f.organizations.has(leaf.id)]).toEqual([false, false]);
    expect(f.index.byId(doomed.id)).toBeUndefined();
    expect(f.deleted).toEqual([doomed.id]);
    expect(f.changes).toEqual([{ clientId: doomed.client_id, kind: 'installation' }]);
    expect(await f.db.device.count()).toBe(0);
    expect(await f.db.function.count()).toBe(0);
    expect(await f.repos.users.get(onlyHere.principal.userId)).toBeNull();
    expect((await f.repos.users.get(elsewhere.principal.userId))?.organizationIds).toEqual([f.orgs.sibling]);
    expect(f.index.byId(kept.id)?.userIds).toEqual(new Set([elsewhere.principal.userId]));
    expect(f.events).toEqual([
      { type: 'token-revoked', tokenId: onlyHere.tokenId },
      { type: 'token-revoked', tokenId: apiKey.tokenId },
      { type: 'access-changed', userId: null },
    ]);
    expect(await f.auth.authenticateToken(apiKey.secret)).toBeNull();
  });

  it('refuses the root, the caller’s own organization, and what it cannot reach or empty', async () => {
    await expect(f.orgService.delete(f.admin, f.orgs.root, { force: true })).rejects.toThrow(/root/);
    await expect(f.orgService.delete(f.childAdmin, f.orgs.child, { force: true })).rejects.toThrow(/you belong/);
    await expect(f.orgService.delete(f.childAdmin, f.orgs.sibling)).rejects.toThrow(NotFoundError);
    await expect(f.orgService.delete(f.admin, 424242)).rejects.toThrow(NotFoundError);
    await expect(f.orgService.delete(f.user, f.orgs.sibling)).rejects.toThrow(ForbiddenError);

    const team = await f.orgService.create(f.childAdmin, { name: 'team' });
    await f.member('boss@example.com', 'admin', team.id);
    await expect(f.orgService.delete(f.childAdmin, team.id, { force: true })).rejects.toThrow(/higher priority/);
    expect(f.organizations.has(team.id)).toBe(true);
  });
});

describe('OrganizationsService meta', () => {
  it('serves single meta keys like installations do', async () => {
    const org = await f.orgService.create(f.admin, { name: 'm' });
    const created = await f.orgService.createMeta(f.admin, org.id, 'x.y', { Value: 1, Protected: false });
    metaObjectSchema.strict().parse(created);
    expect(created).toEqual({ value: '1', protected: false });
    await expect(f.orgService.createMeta(f.admin, org.id, 'x.y', { value: '2' })).rejects.toThrow(BadRequestError);
    expect(await f.orgService.updateMeta(f.admin, org.id, 'x.y', { value: '2' })).toEqual({ value: '2', protected: false });
    await expect(f.orgService.updateMeta(f.admin, org.id, 'missing', { value: '2' })).rejects.toThrow(NotFoundError);
    expect(await f.orgService.updateMeta(f.admin, org.id, 'missing', { value: '3' }, { createMissing: true })).toEqual({ value: '3', protected: false });
    expect(await f.orgService.getMeta(f.admin, org.id, 'x.y')).toEqual({ value: '2', protected: false });
    expect((await f.orgService.deleteMeta(f.admin, org.id, 'x.y')).message).toMatch(/deleted/);
    expect((await f.orgService.get(f.admin, org.id)).meta).toEqual({ missing: '3' });
  });

  it('hides protected meta without view rights and refuses edits without edit rights', async () => {
    const org = await f.orgService.create(f.admin, { name: 'p', parent: f.orgs.child, protected_meta: { secret: 's' } });
    const plain = withPermissions(f.childAdmin, ['organization/list/all', 'organization/update']);
    expect((await f.orgService.get(plain, org.id)).protected_meta).toEqual({});
    await expect(f.orgService.getMeta(plain, org.id, 'secret')).rejects.toThrow(NotFoundError);
    await expect(f.orgService.createMeta(plain, org.id, 'other', { value: 'v', protected: true })).rejects.toThrow(ForbiddenError);
    await expect(f.orgService.update(plain, org.id, { protected_meta: { secret: 'changed' } })).rejects.toThrow(ForbiddenError);
    // Sent back empty as received: nothing changes.
    await f.orgService.update(plain, org.id, { protected_meta: {} });
    expect((await f.orgService.get(f.admin, org.id)).protected_meta).toEqual({ secret: 's' });

    // `/assigned` covers the caller's own organizations only.
    await f.orgService.createMeta(f.admin, f.orgs.child, 'own', { value: 'o', protected: true });
    const assigned = withPermissions(f.childAdmin, ['organization/list/all', 'organization/view/protected_meta/assigned']);
    expect((await f.orgService.get(assigned, f.orgs.child)).protected_meta).toEqual({ own: 'o' });
    expect((await f.orgService.get(assigned, org.id)).protected_meta).toEqual({});
  });
});

describe('force_password_reset', () => {
  it('marks the members the caller manages, and a new password clears the mark', async () => {
    const boss = await f.member('boss@example.com', 'admin', f.orgs.child);
    const worker = await f.member('worker@example.com', 'user', f.orgs.child, 'worker-password');
    const res = await f.passwords.forceReset(f.childAdmin, f.orgs.child);
    expect(res.message).toMatch(/^2 user/);
    expect(await f.passwords.resetRequired(worker.principal.userId)).toBe(true);
    expect(await f.passwords.resetRequired(f.childAdmin.userId)).toBe(true);
    expect(await f.passwords.resetRequired(boss.principal.userId)).toBe(false);
    await f.passwords.changeOwn(worker.principal, { current_password: 'worker-password', new_password: 'a-new-password' });
    expect(await f.passwords.resetRequired(worker.principal.userId)).toBe(false);
    await expect(f.passwords.forceReset(f.childAdmin, f.orgs.sibling)).rejects.toThrow(NotFoundError);
    await expect(f.passwords.forceReset(f.user, f.orgs.root)).rejects.toThrow(ForbiddenError);
  });
});
