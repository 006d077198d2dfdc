import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { messageResponseSchema, metaObjectSchema, userSchema } from '@lynx/shared';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from '../errors.js';
import type { Principal } from '../principal.js';
import { createAdminFixture, type AdminFixture } from './admin-test-fixture.js';

let f: AdminFixture;
beforeEach(async () => {
  f = await createAdminFixture();
});
afterEach(async () => {
  await f.close();
});

const ids = async (p: Principal) => (await f.usersService.list(p)).map((u) => u.email);

describe('UsersService create and read', () => {
  it('creates a user in the Lynx shape, assigned where asked, without any password field', async () => {
    const inst = await f.installations.create(f.admin, { name: 'home' });
    f.events.length = 0;
    f.changes.length = 0;
    const created = await f.usersService.create(f.admin, {
      email: ' New@Example.com ',
      password: 'long-enough',
      first_name: 'New',
      last_name: 'User',
      mobile: '+46',
      note: 'n',
      sms_login: true,
      address: { city: 'Lund' },
      organisations: [f.orgs.child],
      assigned_installations: [inst.id],
      expire_at: 0,
      meta: { team: 'a' },
      protected_meta: { badge: '7' },
    });
    userSchema.strict().parse(created);
    expect(created).toEqual({
      id: created.id,
      email: 'new@example.com',
      first_name: 'New',
      last_name: 'User',
      mobile: '+46',
      note: 'n',
      role: f.roles.user.id,
      sms_login: true,
      address: { address: '', city: 'Lund', country: '', zip: '' },
      organisations: [f.orgs.child],
      assigned_installations: [inst.id],
      expire_at: 0,
      meta: { team: 'a' },
      protected_meta: { badge: '7' },
    });
    expect(JSON.stringify(await f.usersService.list(f.admin))).not.toMatch(/password|argon/i);
    expect(f.index.byId(inst.id)?.userIds).toEqual(new Set([created.id]));
    expect(f.changes).toEqual([{ clientId: inst.client_id, kind: 'installation' }]);
    expect(f.events).toEqual([{ type: 'access-changed', userId: created.id }]);
    expect((await f.installations.get(f.admin, inst.id)).users).toEqual([created.id]);
    expect(await f.usersService.get(f.admin, created.id)).toEqual(created);
    await expect(f.usersService.create(f.admin, { email: 'new@example.com', password: 'long-enough' })).rejects.toThrow(ConflictError);
    await expect(f.usersService.create(f.admin, { email: 'x@example.com', password: 'short' })).rejects.toThrow(BadRequestError);
    await expect(f.usersService.create(f.admin, { email: 'x@example.com', password: 'long-enough', assigned_installations: [4242] })).rejects.toThrow(/4242/);
  });

  it('lists and shows only users of the caller’s subtree: sibling organizations are isolated', async () => {
    await f.member('kid@example.com', 'user', f.orgs.child);
    const other = await f.member('other@example.com', 'user', f.orgs.sibling);
    const otherInstallation = await f.installations.create(f.admin, { name: 'theirs', organization_id: f.orgs.sibling });
    expect(await ids(f.admin)).toEqual(['admin@example.com', 'user@example.com', 'child@example.com', 'kid@example.com', 'other@example.com']);
    expect(await ids(f.childAdmin)).toEqual(['child@example.com', 'kid@example.com']);
    await expect(f.usersService.get(f.childAdmin, other.principal.userId)).rejects.toThrow(NotFoundError);
    await expect(f.usersService.update(f.childAdmin, other.principal.userId, { first_name: 'x' })).rejects.toThrow(NotFoundError);
    await expect(f.usersService.delete(f.childAdmin, other.principal.userId)).rejects.toThrow(NotFoundError);
    await expect(f.tokens.list(f.childAdmin, other.principal.userId)).rejects.toThrow(NotFoundError);
    expect((await f.installations.list(f.childAdmin)).map((i) => i.id)).not.toContain(otherInstallation.id);
    await expect(f.installations.get(f.childAdmin, otherInstallation.id)).rejects.toThrow(NotFoundError);
    await expect(f.usersService.list(f.user)).rejects.toThrow(ForbiddenError);
    expect((await f.usersService.get(f.user, 'me')).email).toBe('user@example.com');
  });

  it('filters the list on meta values like the other lists', async () => {
    const tagged = await f.usersService.create(f.admin, { email: 't@example.com', password: 'long-enough', meta: { team: 'red' }, protected_meta: { level: '3' } });
    expect((await f.usersService.list(f.admin, { team: 'red' })).map((u) => u.id)).toEqual([tagged.id]);
    expect((await f.usersService.list(f.admin, { level: '3', team: '' })).map((u) => u.id)).toEqual([tagged.id]);
    expect(await f.usersService.list(f.admin, { team: 'blue' })).toEqual([]);
  });
});

describe('UsersService priority rule', () => {
  it('lets a caller manage only users and roles up to its own priority', async () => {
    const boss = await f.member('boss@example.com', 'admin', f.orgs.child);
    const worker = await f.member('worker@example.com', 'user', f.orgs.child);
    await expect(f.usersService.update(f.childAdmin, boss.principal.userId, { first_name: 'x' })).rejects.toThrow(/higher priority/);
    await expect(f.usersService.delete(f.childAdmin, boss.principal.userId)).rejects.toThrow(ForbiddenError);
    await expect(f.passwords.reset(f.childAdmin, boss.principal.userId, { new_password: 'taken-over' })).rejects.toThrow(ForbiddenError);
    await expect(f.tokens.create(f.childAdmin, boss.principal.userId, { name: 'sneaky' })).rejects.toThrow(ForbiddenError);
    await expect(f.usersService.update(f.childAdmin, worker.principal.userId, { role: f.roles.admin.id })).rejects.toThrow(/role .* higher priority/);
    await expect(f.usersService.create(f.childAdmin, { email: 'a@example.com', password: 'long-enough', role: f.roles.admin.id })).rejects.toThrow(ForbiddenError);
    await expect(f.usersService.update(f.childAdmin, worker.principal.userId, { role: 4242 })).rejects.toThrow(BadRequestError);

    const demoted = await f.usersService.update(f.childAdmin, worker.principal.userId, { role: f.roles.viewer.id });
    expect(demoted.role).toBe(f.roles.viewer.id);
    const peer = await f.usersService.update(f.childAdmin, worker.principal.userId, { role: f.roles.organization_admin.id });
    expect(peer.role).toBe(f.roles.organization_admin.id);
    await expect(f.usersService.update(f.user, worker.principal.userId, { first_name: 'x' })).rejects.toThrow(ForbiddenError);
  });

  it('lets users edit their own profile but not their role, organisations or expiry', async () => {
    const me = await f.usersService.get(f.user, 'me');
    // go-lynx sends the whole object back.
    const updated = await f.usersService.update(f.user, 'me', { ...me, first_name: 'Me', address: { ...me.address, zip: '123' } });
    expect(updated).toEqual({ ...me, first_name: 'Me', address: { ...me.address, zip: '123' } });
    expect(await f.usersService.update(f.user, f.user.userId, { last_name: 'Self' })).toMatchObject({ first_name: 'Me', last_name: 'Self' });
    await expect(f.usersService.update(f.user, 'me', { role: f.roles.admin.id })).rejects.toThrow(/own role/);
    await expect(f.usersService.update(f.admin, 'me', { organisations: [f.orgs.child] })).rejects.toThrow(/own organisations/);
    await expect(f.usersService.update(f.user, 'me', { expire_at: 1 })).rejects.toThrow(/own expire_at/);
    await expect(f.usersService.update(f.user, 'me', { protected_meta: { vip: 'yes' } })).rejects.toThrow(ForbiddenError);
  });
});

describe('UsersService update', () => {
  it('changes organisations and assignments, keeping the installation index current', async () => {
    const worker = await f.member('worker@example.com', 'user', f.orgs.child);
    const mine = await f.installations.create(f.childAdmin, { name: 'mine' });
    const theirs = await f.installations.create(f.admin, { name: 'theirs', organization_id: f.orgs.sibling });
    f.events.length = 0;
    f.changes.length = 0;
    const assigned = await f.usersService.update(f.childAdmin, worker.principal.userId, { assigned_installations: [mine.id] });
    expect(assigned.assigned_installations).toEqual([mine.id]);
    expect(f.index.byId(mine.id)?.userIds).toEqual(new Set([worker.principal.userId]));
    expect(f.changes).toEqual([{ clientId: mine.client_id, kind: 'installation' }]);
    expect(f.events).toEqual([{ type: 'access-changed', userId: worker.principal.userId }]);
    // Another tenant's installation answers exactly like one that does not exist: its id does not leak.
    await expect(f.usersService.update(f.childAdmin, worker.principal.userId, { assigned_installations: [mine.id, theirs.id] })).rejects.toThrow(
      new BadRequestError(`invalid assigned_installations: installation ${theirs.id} does not exist`),
    );
    await expect(f.usersService.update(f.childAdmin, worker.principal.userId, { assigned_installations: [4242] })).rejects.toThrow(
      new BadRequestError('invalid assigned_installations: installation 4242 does not exist'),
    );
    await expect(f.usersService.update(f.childAdmin, worker.principal.userId, { organisations: [f.orgs.sibling] })).rejects.toThrow(ForbiddenError);
    await expect(f.usersService.update(f.childAdmin, worker.principal.userId, { organisations: [] })).rejects.toThrow(/at least one/);

    const moved = await f.usersService.update(f.admin, worker.principal.userId, { organisations: [f.orgs.child, f.orgs.sibling], assigned_installations: [theirs.id] });
    expect(moved).toMatchObject({ organisations: [f.orgs.child, f.orgs.sibling], assigned_installations: [theirs.id] });
    expect(f.index.byId(mine.id)?.userIds).toEqual(new Set());
    expect(f.index.byId(theirs.id)?.userIds).toEqual(new Set([worker.principal.userId]));
    // The membership outside its subtree is not the child admin's to remove, but may be sent back unchanged.
    await expect(f.usersService.update(f.childAdmin, worker.principal.userId, { organisations: [f.orgs.child] })).rejects.toThrow(ForbiddenError);
    expect((await f.usersService.update(f.childAdmin, worker.principal.userId, { ...moved, note: 'kept' })).note).toBe('kept');
  });

  it('refuses an e-mail already in use and malformed bodies with 400', async () => {
    await expect(f.usersService.update(f.admin, f.user.userId, { email: 'ADMIN@example.com' })).rejects.toThrow(ConflictError);
    expect((await f.usersService.update(f.admin, f.user.userId, { email: 'Renamed@Example.com' })).email).toBe('renamed@example.com');
    for (const body of [[], 'x', { email: 'not-an-email' }, { meta: { a: { b: 1 } } }, { organisations: ['a'] }, { role: -1 }]) {
      await expect(f.usersService.update(f.admin, f.user.userId, body)).rejects.toThrow(BadRequestError);
    }
  });
});

describe('UsersService delete', () => {
  it('deletes a user with its tokens and assignments and announces each revoked token', async () => {
    const worker = await f.member('worker@example.com', 'user', f.orgs.child);
    const apiKey = await f.login(worker.principal.userId, 'api');
    const inst = await f.installations.create(f.admin, { name: 'i', users: [worker.principal.userId] });
    f.events.length = 0;
    const res = await f.usersService.delete(f.childAdmin, worker.principal.userId);
    messageResponseSchema.strict().parse(res);
    expect(f.events).toEqual([
      { type: 'token-revoked', tokenId: worker.tokenId },
      { type: 'token-revoked', tokenId: apiKey.tokenId },
      { type: 'access-changed', userId: worker.principal.userId },
    ]);
    expect(await f.auth.authenticateToken(apiKey.secret)).toBeNull();
    expect(f.index.byId(inst.id)?.userIds).toEqual(new Set());
    expect((await f.installations.get(f.admin, inst.id)).users).toEqual([]);
    await expect(f.usersService.get(f.admin, worker.principal.userId)).rejects.toThrow(NotFoundError);
    await expect(f.usersService.delete(f.admin, worker.principal.userId)).rejects.toThrow(NotFoundError);
    await expect(f.usersService.delete(f.admin, f.admin.userId)).rejects.toThrow(/yourself/);
    await expect(f.usersService.delete(f.user, f.childAdmin.userId)).rejects.toThrow(ForbiddenError);
  });
});

describe('UsersService meta', () => {
  it('serves single meta keys of users and of `me`, protected ones by permission', async () => {
    const created = await f.usersService.createMeta(f.admin, f.user.userId, 'badge', { value: '7', protected: true });
    metaObjectSchema.strict().parse(created);
    expect(await f.usersService.getMeta(f.admin, f.user.userId, 'badge')).toEqual({ value: '7', protected: true });
    // The user role may neither see nor change protected meta, not even its own.
    await expect(f.usersService.getMeta(f.user, 'me', 'badge')).rejects.toThrow(NotFoundError);
    expect((await f.usersService.me(f.user)).protected_meta).toEqual({});
    await expect(f.usersService.updateMeta(f.user, 'me', 'badge', { value: '8', protected: true })).rejects.toThrow(ForbiddenError);
    expect(await f.usersService.createMeta(f.user, 'me', 'theme', { Value: 'dark' })).toEqual({ value: 'dark', protected: false });
    expect(await f.usersService.updateMeta(f.user, 'me', 'lang', { value: 'sv' }, { createMissing: true })).toEqual({ value: 'sv', protected: false });
    expect((await f.usersService.me(f.user)).meta).toEqual({ lang: 'sv', theme: 'dark' });
    await expect(f.usersService.createMeta(f.user, f.admin.userId, 'x', { value: 'y' })).rejects.toThrow(ForbiddenError);
    await expect(f.usersService.getMeta(f.user, f.admin.userId, 'x')).rejects.toThrow(ForbiddenError);
    expect((await f.usersService.deleteMeta(f.user, 'me', 'theme')).message).toMatch(/deleted/);
    await expect(f.usersService.deleteMeta(f.user, 'me', 'theme')).rejects.toThrow(NotFoundError);
    z.array(userSchema.strict()).parse(await f.usersService.list(f.admin));
  });
});
