import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { installationInfoSchema, installationSchema, messageResponseSchema, metaObjectSchema } from '@lynx/shared';
import { BadRequestError, ForbiddenError, NotFoundError } from '../errors.js';
import { createAamFixture, type AamFixture } from './aam-test-fixture.js';
import { loadInstallationIndex } from './installations.js';

let f: AamFixture;
beforeEach(async () => {
  f = await createAamFixture();
});
afterEach(async () => {
  await f.close();
});

const strict = <T extends z.ZodObject>(schema: T) => schema.strict();

describe('InstallationsService create/get', () => {
  it('creates an installation with the exact Lynx shape and a client id distinct from its id', async () => {
    const created = await f.installations.create(f.admin, {
      name: 'Home',
      notes: 'n',
      users: [f.user.userId],
      meta: { 'example.type': 'x', count: 3, on: true },
      protected_meta: { secret: 's' },
    });
    strict(installationSchema).parse(created);
    expect(created).toEqual({
      id: created.id,
      name: 'Home',
      client_id: created.client_id,
      created: 1_700_000_000,
      organization_id: f.orgs.root,
      notes: 'n',
      users: [f.user.userId],
      meta: { 'example.type': 'x', count: '3', on: 'true' },
      protected_meta: { secret: 's' },
    });
    expect(created.client_id).toBeGreaterThanOrEqual(10_000);
    expect(created.client_id).not.toBe(created.id);
    expect(await f.installations.get(f.admin, created.id)).toEqual(created);
  });

  it('hands out unique client ids and never reuses the one of a deleted installation', async () => {
    const a = await f.installations.create(f.admin, { name: 'a' });
    const b = await f.installations.create(f.admin, { name: 'b' });
    await f.installations.delete(f.admin, b.id);
    const c = await f.installations.create(f.admin, { name: 'c' });
    const ids = [a.client_id, b.client_id, c.client_id];
    expect(new Set(ids).size).toBe(3);
    expect(c.client_id).toBeGreaterThan(b.client_id);
    const parallel = await Promise.all(Array.from({ length: 20 }, (_, i) => f.installations.create(f.admin, { name: `p${i}` })));
    expect(new Set(parallel.map((i) => i.client_id)).size).toBe(20);
  });

  it('keeps the index current and announces the change', async () => {
    const inst = await f.installations.create(f.admin, { name: 'a', users: [f.user.userId] });
    expect(f.index.byId(inst.id)).toEqual({ id: inst.id, clientId: inst.client_id, organizationId: f.orgs.root, userIds: new Set([f.user.userId]) });
    expect(f.index.byClientId(inst.client_id)?.id).toBe(inst.id);
    expect(f.changes).toEqual([{ clientId: inst.client_id, kind: 'installation' }]);
    expect(f.accessEvents).toEqual([{ type: 'access-changed', userId: null }]);
    expect(await loadInstallationIndex(f.db)).toEqual([f.index.byId(inst.id)]);
  });

  it('defaults the organization and timezone, validates both', async () => {
    const child = await f.installations.create(f.childAdmin, { name: 'c' });
    expect(child.organization_id).toBe(f.orgs.child);
    expect((await f.installations.infoByClientId(f.admin, child.client_id)).timezone).toBe('Europe/Stockholm');
    const tz = await f.installations.create(f.admin, { name: 'x', timezone: 'America/New_York' });
    expect((await f.installations.infoByClientId(f.admin, tz.client_id)).timezone).toBe('America/New_York');
    await expect(f.installations.create(f.admin, { name: 'x', timezone: 'Mars/Base' })).rejects.toThrow(BadRequestError);
    await expect(f.installations.create(f.admin, { name: 'x', organization_id: 9999 })).rejects.toThrow(BadRequestError);
    await expect(f.installations.create(f.childAdmin, { name: 'x', organization_id: f.orgs.sibling })).rejects.toThrow(ForbiddenError);
    await expect(f.installations.create(f.user, { name: 'x' })).rejects.toThrow(ForbiddenError);
    await expect(f.installations.create(f.admin, { name: '' })).rejects.toThrow(BadRequestError);
    await expect(f.installations.create(f.admin, {})).rejects.toThrow(BadRequestError);
    await expect(f.installations.create(f.admin, { name: 'x', users: [4242] })).rejects.toThrow(/4242/);
    await expect(f.installations.create(f.admin, { name: 'x', meta: { nested: { a: 1 } } })).rejects.toThrow(BadRequestError);
  });

  it('assigns only users of the caller’s subtree, telling those outside it apart from no unknown id', async () => {
    // f.user belongs to the root, outside the child organization's admin's reach.
    const outside = f.installations.create(f.childAdmin, { name: 'x', users: [f.user.userId] });
    await expect(outside).rejects.toThrow(BadRequestError);
    await expect(outside).rejects.toThrow(`unknown user id(s) in users: ${f.user.userId}`);
    const own = await f.installations.create(f.childAdmin, { name: 'own', users: [f.childAdmin.userId] });
    await expect(f.installations.update(f.childAdmin, own.id, { users: [f.childAdmin.userId, f.user.userId] })).rejects.toThrow(BadRequestError);
    // Whoever the admin assigned stays assignable-as-is by the child's admin.
    await f.installations.update(f.admin, own.id, { users: [f.childAdmin.userId, f.user.userId] });
    expect((await f.installations.update(f.childAdmin, own.id, { users: [f.user.userId, f.childAdmin.userId], notes: 'kept' })).users).toEqual(
      [f.childAdmin.userId, f.user.userId].sort((a, b) => a - b),
    );
  });

  it('accepts Go zero values (null maps, organization_id 0)', async () => {
    const inst = await f.installations.create(f.admin, { name: 'go', organization_id: 0, notes: '', users: null, meta: null, protected_meta: null });
    expect(inst).toMatchObject({ organization_id: f.orgs.root, users: [], meta: {}, protected_meta: {} });
  });
});

describe('InstallationsService visibility', () => {
  it('lists InstallationInfo with assigned flags and the assigned filter', async () => {
    const a = await f.installations.create(f.admin, { name: 'A', users: [f.user.userId] });
    const b = await f.installations.create(f.admin, { name: 'B', users: [f.admin.userId] });
    const all = await f.installations.listInfo(f.admin);
    z.array(installationInfoSchema.strict()).parse(all);
    expect(all).toEqual([
      { id: a.id, client_id: a.client_id, name: 'A', timezone: 'Europe/Stockholm', capabilities: [], organization_id: f.orgs.root, assigned: false },
      { id: b.id, client_id: b.client_id, name: 'B', timezone: 'Europe/Stockholm', capabilities: [], organization_id: f.orgs.root, assigned: true },
    ]);
    expect((await f.installations.listInfo(f.admin, { assigned: true })).map((i) => i.id)).toEqual([b.id]);
    expect(await f.installations.listInfo(f.user)).toEqual([{ ...all[0], assigned: true }]);
    expect((await f.installations.list(f.user)).map((i) => i.id)).toEqual([a.id]);
  });

  it('hides other installations from an assigned user', async () => {
    const a = await f.installations.create(f.admin, { name: 'A', users: [f.user.userId] });
    const b = await f.installations.create(f.admin, { name: 'B' });
    expect((await f.installations.infoByClientId(f.user, a.client_id)).id).toBe(a.id);
    await expect(f.installations.infoByClientId(f.user, b.client_id)).rejects.toThrow(NotFoundError);
    await expect(f.installations.infoByClientId(f.admin, b.client_id, { assigned: true })).rejects.toThrow(NotFoundError);
    await expect(f.installations.get(f.user, b.id)).rejects.toThrow(NotFoundError);
    await expect(f.installations.update(f.user, b.id, { name: 'x' })).rejects.toThrow(NotFoundError);
    await expect(f.installations.delete(f.user, b.id)).rejects.toThrow(NotFoundError);
    await expect(f.installations.delete({ ...f.user, permissions: new Set(['installation/list/assigned']) }, a.id)).rejects.toThrow(ForbiddenError);
  });

  it('limits a child-organization admin to its subtree', async () => {
    const root = await f.installations.create(f.admin, { name: 'root' });
    const child = await f.installations.create(f.admin, { name: 'child', organization_id: f.orgs.child });
    expect((await f.installations.listInfo(f.childAdmin)).map((i) => i.id)).toEqual([child.id]);
    await expect(f.installations.get(f.childAdmin, root.id)).rejects.toThrow(NotFoundError);
    await expect(f.installations.update(f.childAdmin, child.id, { organization_id: f.orgs.root })).rejects.toThrow(ForbiddenError);
  });

  it('filters rows by exact meta values and ignores empty filters', async () => {
    const a = await f.installations.create(f.admin, { name: 'A', meta: { site: 'north', kind: 'x' }, protected_meta: { p: '1' } });
    await f.installations.create(f.admin, { name: 'B', meta: { site: 'south' }, users: [f.user.userId], protected_meta: { p: '1' } });
    expect((await f.installations.list(f.admin, { site: 'north' })).map((i) => i.id)).toEqual([a.id]);
    expect((await f.installations.list(f.admin, { site: 'north', kind: 'y' })).length).toBe(0);
    expect((await f.installations.list(f.admin, { site: '' })).length).toBe(2);
    expect((await f.installations.list(f.admin, { sit: 'north' })).length).toBe(0);
    expect((await f.installations.list(f.admin, { p: '1' })).length).toBe(2);
    // Protected keys are not filterable by callers who cannot see them.
    expect((await f.installations.list(f.user, { p: '1' })).length).toBe(0);
  });
});

describe('InstallationsService scale', () => {
  it('lists more installations than SQLite has bound parameters', async () => {
    const rows = await f.db.installation.createManyAndReturn({
      data: Array.from({ length: 1200 }, (_, i) => ({ clientId: 20_000 + i, name: `i${i}`, organizationId: f.orgs.root, created: 1, updated: 1 })),
      select: { id: true, clientId: true },
    });
    await f.db.installationMeta.createMany({ data: rows.map(({ id }) => ({ installationId: id, key: 'n', value: String(id) })) });
    for (const r of await loadInstallationIndex(f.db)) f.index.upsert(r);
    const list = await f.installations.list(f.admin);
    expect(list.length).toBe(1200);
    expect(list[1199].meta).toEqual({ n: String(rows[1199].id) });
    expect((await f.installations.listInfo(f.admin)).length).toBe(1200);
    const some = { ...f.admin, organizationIds: [f.orgs.child], permissions: new Set(['installation/list/assigned']) };
    await f.db.installationUser.createMany({ data: rows.map(({ id }) => ({ installationId: id, userId: some.userId })) });
    for (const r of await loadInstallationIndex(f.db)) f.index.upsert(r);
    expect((await f.installations.list(some)).length).toBe(1200);
    expect((await f.installations.listInfo(some, { assigned: true })).length).toBe(1200);
  });
});

describe('InstallationsService update/delete', () => {
  it('replaces the full object and refreshes index and access caches on reassignment', async () => {
    const inst = await f.installations.create(f.admin, { name: 'A', meta: { a: '1' } });
    f.changes.length = 0;
    f.accessEvents.length = 0;
    const updated = await f.installations.update(f.admin, inst.id, {
      ...inst,
      id: 999,
      client_id: 1,
      name: 'B',
      notes: 'changed',
      users: [f.user.userId, f.user.userId],
      meta: { b: '2' },
    });
    installationSchema.strict().parse(updated);
    expect(updated).toEqual({ ...inst, name: 'B', notes: 'changed', users: [f.user.userId], meta: { b: '2' } });
    expect(f.index.byId(inst.id)?.userIds.has(f.user.userId)).toBe(true);
    expect(f.accessEvents).toEqual([{ type: 'access-changed', userId: null }]);
    expect(f.changes).toEqual([{ clientId: inst.client_id, kind: 'installation' }]);
    expect((await f.installations.listInfo(f.user)).map((i) => i.id)).toEqual([inst.id]);

    f.accessEvents.length = 0;
    await f.installations.update(f.admin, inst.id, { name: 'C' });
    expect(f.accessEvents).toEqual([]);
    expect((await f.installations.get(f.admin, inst.id)).users).toEqual([f.user.userId]);
  });

  it('deletes with devices and functions, the index entry and history', async () => {
    const inst = await f.installations.create(f.admin, { name: 'A' });
    const dev = await f.devices.create(f.admin, inst.id, { type: 'virtual', meta: { name: 'd' } });
    await f.functions.create(f.admin, inst.id, { type: 'switch', meta: { device_id: String(dev.id) } });
    f.accessEvents.length = 0;
    const res = await f.installations.delete(f.admin, inst.id);
    messageResponseSchema.parse(res);
    expect(f.index.byId(inst.id)).toBeUndefined();
    expect(f.deleted).toEqual([inst.id]);
    expect(f.accessEvents).toEqual([{ type: 'access-changed', userId: null }]);
    expect(await f.db.device.count()).toBe(0);
    expect(await f.db.functionMeta.count()).toBe(0);
    await expect(f.installations.get(f.admin, inst.id)).rejects.toThrow(NotFoundError);
    await expect(f.devices.list(f.admin, inst.id)).rejects.toThrow(NotFoundError);
  });
});

describe('InstallationsService meta', () => {
  it('creates, reads, updates (GL casing) and deletes single keys', async () => {
    const inst = await f.installations.create(f.admin, { name: 'A' });
    f.changes.length = 0;
    const created = await f.installations.createMeta(f.admin, inst.id, 'a/b.c', { value: 'v' });
    expect(metaObjectSchema.strict().parse(created)).toEqual({ value: 'v', protected: false });
    await expect(f.installations.createMeta(f.admin, inst.id, 'a/b.c', { value: 'w' })).rejects.toThrow(BadRequestError);
    expect(await f.installations.updateMeta(f.admin, inst.id, 'a/b.c', { Value: 'w', Protected: false })).toEqual({ value: 'w', protected: false });
    expect(await f.installations.getMeta(f.admin, inst.id, 'a/b.c')).toEqual({ value: 'w', protected: false });
    await expect(f.installations.updateMeta(f.admin, inst.id, 'missing', { value: '1' })).rejects.toThrow(NotFoundError);
    expect(await f.installations.updateMeta(f.admin, inst.id, 'missing', { value: 1 }, { createMissing: true, silent: true })).toEqual({ value: '1', protected: false });
    expect((await f.installations.get(f.admin, inst.id)).meta).toEqual({ 'a/b.c': 'w', missing: '1' });
    expect(await f.installations.deleteMeta(f.admin, inst.id, 'a/b.c')).toEqual({ message: expect.any(String) });
    await expect(f.installations.getMeta(f.admin, inst.id, 'a/b.c')).rejects.toThrow(NotFoundError);
    await expect(f.installations.deleteMeta(f.admin, inst.id, 'a/b.c')).rejects.toThrow(NotFoundError);
    // create, update, delete published; the silent create_missing did not.
    expect(f.changes.length).toBe(3);
  });

  it('hides protected meta from callers without the view right and refuses edits without the edit right', async () => {
    const inst = await f.installations.create(f.admin, { name: 'A', users: [f.user.userId], protected_meta: { secret: 's' }, meta: { open: 'o' } });
    const seen = await f.installations.get(f.user, inst.id);
    expect(seen.protected_meta).toEqual({});
    await expect(f.installations.getMeta(f.user, inst.id, 'secret')).rejects.toThrow(NotFoundError);
    await expect(f.installations.createMeta(f.user, inst.id, 'new', { value: '1', protected: true })).rejects.toThrow(ForbiddenError);
    await expect(f.installations.updateMeta(f.user, inst.id, 'secret', { value: '1' })).rejects.toThrow(ForbiddenError);
    // The built-in user role may not update installations; one that may, still not protected meta.
    await expect(f.installations.update(f.user, inst.id, { ...seen, name: 'x' })).rejects.toThrow(ForbiddenError);
    const editor = { ...f.user, permissions: new Set([...f.user.permissions, 'installation/update/assigned']) };
    await expect(f.installations.update(editor, inst.id, { ...seen, protected_meta: { secret: 'other' } })).rejects.toThrow(ForbiddenError);
    await expect(f.installations.update(editor, inst.id, { ...seen, meta: { secret: 'unprotect' } })).rejects.toThrow(ForbiddenError);
    // Sending back what the caller saw keeps the protected keys.
    await f.installations.update(editor, inst.id, { ...seen, name: 'renamed' });
    const after = await f.installations.get(f.admin, inst.id);
    expect(after).toMatchObject({ name: 'renamed', meta: { open: 'o' }, protected_meta: { secret: 's' } });
  });
});
