// The trace service on a real store (SQLite, or PostgreSQL under LYNX_TEST_DB=postgres): what the
// installation and devicex services record, the request context it picks up, the query
// parameters of GET /api/v2/trace and who sees which entries.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BadRequestError, ForbiddenError } from '../errors.js';
import type { Principal } from '../principal.js';
import { TraceRepository } from '../repositories/trace.js';
import { runInRequestContext } from '../request-context.js';
import { openStore } from '../store/open-store.js';
import { createTestDatabase } from '../store/test-helpers.js';
import { createAamFixture, type AamFixture } from './aam-test-fixture.js';
import { loadInstallationIndex } from './installations.js';
import { goRuneObjectId, TraceService } from './trace.js';

let f: AamFixture;

beforeEach(async () => {
  f = await createAamFixture();
});
afterEach(async () => {
  await f.close();
});

const as = (base: Principal, permissions: string[], organizationIds = base.organizationIds): Principal => ({ ...base, permissions: new Set(permissions), organizationIds });
const request = (p: Principal, method: string, path: string) => ({ method, path, ip: '192.0.2.7', userId: p.userId });

describe('TraceService.record', () => {
  it('stores what the services did with the request it came through', async () => {
    const inst = await runInRequestContext(request(f.admin, 'POST', '/api/v2/installation'), () => f.installations.create(f.admin, { name: 'Plant', organization_id: f.orgs.child }));
    const device = await runInRequestContext(request(f.admin, 'POST', `/api/v2/devicex/${inst.id}`), () => f.devices.create(f.admin, inst.id, { type: 'sensor' }));
    await runInRequestContext(request(f.admin, 'PUT', `/api/v2/devicex/${inst.id}/${device.id}/meta/room`), () =>
      f.devices.updateMeta(f.admin, inst.id, device.id, 'room', { value: 'secret-value', protected: true }, { createMissing: true }),
    );
    await runInRequestContext(request(f.admin, 'DELETE', `/api/v2/devicex/${inst.id}/${device.id}`), () => f.devices.delete(f.admin, inst.id, device.id));

    const page = await f.trace.list(f.admin, { order: 'asc' });
    expect(page.data.map((e) => [e.action, e.object_type, e.object_id, e.method, e.path])).toEqual([
      ['create', 'installation', inst.id, 'POST', '/api/v2/installation'],
      ['create', 'device', device.id, 'POST', `/api/v2/devicex/${inst.id}`],
      ['update', 'device', device.id, 'PUT', `/api/v2/devicex/${inst.id}/${device.id}/meta/room`],
      ['delete', 'device', device.id, 'DELETE', `/api/v2/devicex/${inst.id}/${device.id}`],
    ]);
    for (const entry of page.data) {
      expect(entry.user_id).toBe(f.admin.userId);
      expect(entry.timestamp).toBe(f.clock.now);
      expect(entry.id).toMatch(/^[0-9]+$/);
    }
    expect(page.data[2].description).toBe('meta key "room" set (protected)');
    expect(JSON.stringify(page)).not.toContain('secret-value');
    const stored = await f.db.traceEntry.findMany({ orderBy: { id: 'asc' } });
    expect(stored.map((r) => [r.ip, r.installationId, r.organizationId])).toEqual(Array(4).fill(['192.0.2.7', inst.id, f.orgs.child]));
  });

  it('records installation updates with the assignment change, meta writes and deletes', async () => {
    const inst = await f.installations.create(f.admin, { name: 'A' });
    await f.installations.update(f.admin, inst.id, { users: [f.user.userId] });
    await f.installations.updateMeta(f.admin, inst.id, 'k', { value: 'v' }, { createMissing: true });
    await f.installations.deleteMeta(f.admin, inst.id, 'k');
    await f.functions.create(f.admin, inst.id, { type: 'switch' });
    await f.installations.delete(f.admin, inst.id);
    const page = await f.trace.list(f.admin, { order: 'asc' });
    expect(page.data.map((e) => `${e.action} ${e.object_type}: ${e.description}`)).toEqual([
      'create installation: installation "A" created',
      `update installation: installation "A" updated: users assigned: ${f.user.userId}`,
      'update installation: meta key "k" set',
      'update installation: meta key "k" deleted',
      `create function: function ${page.data[4].object_id} created (type "switch")`,
      `delete installation: installation ${inst.id} deleted`,
    ]);
  });

  it('takes the user from the entry over the request, and records without a request', async () => {
    await f.trace.record({ action: 'auth', objectType: 'user', objectId: 5, description: 'no request' });
    await runInRequestContext(request(f.admin, 'POST', '/api/v2/auth'), () => f.trace.record({ action: 'auth', objectType: 'user', objectId: 5, userId: 5, description: 'explicit' }));
    const page = await f.trace.list(f.admin, { order: 'asc' });
    expect(page.data.map((e) => [e.description, e.user_id, e.path, e.method])).toEqual([
      ['no request', 0, '', ''],
      ['explicit', 5, '/api/v2/auth', 'POST'],
    ]);
  });

  it('cuts over-long texts and replaces NUL so both stores accept them', async () => {
    const longPath = `/api/v2/${'p'.repeat(5000)}`;
    await runInRequestContext({ method: 'GET', path: longPath, ip: '::1' }, () =>
      f.trace.record({ action: 'view', objectType: 'file', description: `a\u0000b${'d'.repeat(10_000)}` }),
    );
    const [entry] = (await f.trace.list(f.admin, {})).data;
    expect(entry.path).toBe(longPath.slice(0, 1000));
    expect(entry.description.length).toBe(2000);
    expect(entry.description.startsWith('a\uFFFDb')).toBe(true);
    expect(f.traceFailures).toEqual([]);
  });

  it('never rejects: a failed write is logged and the caller carries on', async () => {
    // A store whose trace table is gone: every write fails in the database itself.
    const dir = await mkdtemp(join(tmpdir(), 'trace-broken-'));
    const database = await createTestDatabase(join(dir, 'broken.db'));
    const store = await openStore(database.url);
    await store.db.$executeRawUnsafe('DROP TABLE "TraceEntry"');
    const failures: object[] = [];
    const trace = new TraceService({ trace: new TraceRepository(store.db), policy: f.policy, organizations: f.organizations, logger: { error: (obj) => failures.push(obj) } });
    try {
      await expect(trace.record({ action: 'create', objectType: 'device', objectId: 1, description: 'lost' })).resolves.toBeUndefined();
      expect(failures).toHaveLength(1);
      expect(failures[0]).toMatchObject({ trace: { description: 'lost' } });
    } finally {
      await store.close();
      await database.drop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('TraceService.list query', () => {
  async function seed() {
    const entries: { action: 'create' | 'update' | 'delete'; objectType: 'device' | 'function'; objectId: number }[] = [
      { action: 'create', objectType: 'device', objectId: 1 },
      { action: 'update', objectType: 'device', objectId: 1 },
      { action: 'create', objectType: 'function', objectId: 2 },
      { action: 'delete', objectType: 'device', objectId: 1 },
      { action: 'update', objectType: 'function', objectId: 2 },
    ];
    for (const [i, e] of entries.entries()) {
      f.clock.now = 1_700_000_000 + i * 10;
      await f.trace.record({ ...e, description: `entry ${i}` });
    }
  }

  it('filters by time, object, id and action, newest first by default', async () => {
    await seed();
    const all = await f.trace.list(f.admin, {});
    expect(all.data.map((e) => e.description)).toEqual(['entry 4', 'entry 3', 'entry 2', 'entry 1', 'entry 0']);
    expect(all).toMatchObject({ total: 5, count: 5, last: 1_700_000_000 });
    // from/to are inclusive, floats (node-lynx) and numbers from tRPC are accepted.
    expect((await f.trace.list(f.admin, { from: '1700000010', to: '1700000030.0' })).data.map((e) => e.description)).toEqual(['entry 3', 'entry 2', 'entry 1']);
    expect((await f.trace.list(f.admin, { from: 1_700_000_010.5, to: 1_700_000_030 })).total).toBe(2);
    expect((await f.trace.list(f.admin, { object_type: 'device', object_id: '1', order: 'asc' })).data.map((e) => e.action)).toEqual(['create', 'update', 'delete']);
    expect((await f.trace.list(f.admin, { object_type: 'function' })).total).toBe(2);
    // go-lynx's string(int64): object 1 arrives as U+0001.
    expect((await f.trace.list(f.admin, { object_type: 'device', object_id: '\u0001' })).total).toBe(3);
    expect((await f.trace.list(f.admin, { action: 'create,delete' })).data.map((e) => e.description)).toEqual(['entry 3', 'entry 2', 'entry 0']);
    expect((await f.trace.list(f.admin, { action: ['update', 'delete'] })).total).toBe(3);
    const one = all.data[2];
    expect(await f.trace.list(f.admin, { id: one.id })).toEqual({ total: 1, last: one.timestamp, count: 1, data: [one] });
    expect((await f.trace.list(f.admin, { id: '2147483648' })).total).toBe(0);
  });

  it('pages with limit and offset; last is the timestamp of the page end', async () => {
    await seed();
    const first = await f.trace.list(f.admin, { limit: '2', order: 'asc' });
    expect(first).toMatchObject({ total: 5, count: 2, last: 1_700_000_010 });
    const second = await f.trace.list(f.admin, { limit: '2', offset: '2', order: 'ASC' });
    expect(second.data.map((e) => e.description)).toEqual(['entry 2', 'entry 3']);
    expect(second.last).toBe(1_700_000_030);
    expect(await f.trace.list(f.admin, { limit: 2, offset: 10 })).toEqual({ total: 5, last: 0, count: 0, data: [] });
    // go-lynx sends zero values for what it leaves unset: limit 0, the zero time, an empty id and order.
    const goLynx = await f.trace.list(f.admin, { from: '-62135596800', to: '-62135596800', limit: '0', offset: '0', order: '', id: '' });
    expect(goLynx.count).toBe(5);
  });

  it('answers malformed parameters with a 400 naming them', async () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ from: 'yesterday' }, /^invalid from:/],
      [{ to: 'NaN' }, /^invalid to:/],
      [{ limit: '-1' }, /^invalid limit:/],
      [{ limit: '1.5' }, /^invalid limit:/],
      [{ offset: 'x' }, /^invalid offset:/],
      [{ order: 'up' }, /^invalid order: must be asc or desc/],
      [{ object_type: 'spaceship' }, /^invalid object_type:/],
      [{ object_id: '3' }, /^invalid object_id: needs object_type/],
      [{ object_type: 'device', object_id: 'abc' }, /^invalid object_id:/],
      [{ id: 'abc' }, /^invalid id:/],
      [{ action: 'create,explode' }, /^invalid action: unknown action "explode"/],
      [{ from: '20', to: '10' }, /^invalid from: must not be after to/],
    ];
    for (const [query, message] of bad) {
      const err = await f.trace.list(f.admin, query).catch((e: unknown) => e);
      expect(err, JSON.stringify(query)).toBeInstanceOf(BadRequestError);
      expect((err as Error).message, JSON.stringify(query)).toMatch(message);
    }
  });
});

describe('TraceService.list permissions', () => {
  it('refuses readers without a trace key', async () => {
    await expect(f.trace.list(f.user, {})).rejects.toThrow(ForbiddenError);
    await expect(f.trace.list(as(f.admin, ['installation/list/all']), {})).rejects.toThrow(ForbiddenError);
  });

  it('shows trace/list readers their installations, organization subtree and own actions only', async () => {
    const inChild = await f.installations.create(f.admin, { name: 'child plant', organization_id: f.orgs.child });
    const inSibling = await f.installations.create(f.admin, { name: 'sibling plant', organization_id: f.orgs.sibling });
    const assigned = await f.installations.create(f.admin, { name: 'assigned', organization_id: f.orgs.sibling, users: [f.user.userId] });
    const gone = await f.installations.create(f.admin, { name: 'gone', organization_id: f.orgs.child });
    await f.installations.delete(f.admin, gone.id);
    await f.trace.record({ action: 'update', objectType: 'organization', objectId: f.orgs.child, description: 'child org', organizationId: f.orgs.child });
    await f.trace.record({ action: 'update', objectType: 'organization', objectId: f.orgs.sibling, description: 'sibling org', organizationId: f.orgs.sibling });
    await f.trace.record({ action: 'update', objectType: 'role', objectId: 1, description: 'global role' });
    await f.trace.record({ action: 'auth', objectType: 'user', objectId: f.user.userId, userId: f.user.userId, description: 'own login' });

    const seen = async (p: Principal) => (await f.trace.list(p, { order: 'asc' })).data.map((e) => e.description);
    // Organization admin of the child organization.
    const childReader = as(f.childAdmin, ['trace/list', 'installation/list/all'], [f.orgs.child]);
    expect(await seen(childReader)).toEqual([
      'installation "child plant" created',
      'installation "gone" created',
      `installation ${gone.id} deleted`,
      'child org',
    ]);
    // Assigned-only reach: that installation and its own actions; organization entries of its
    // subtree, but not installation entries scoped there.
    const assignedReader = as(f.user, ['trace/list', 'installation/list/assigned'], [f.orgs.sibling]);
    expect(await seen(assignedReader)).toEqual(['installation "assigned" created', 'sibling org', 'own login']);
    expect(await seen(f.admin)).toHaveLength(9);
    // Scoping composes with the other filters.
    expect((await f.trace.list(childReader, { object_type: 'installation', object_id: inSibling.id })).total).toBe(0);
    expect((await f.trace.list(childReader, { object_type: 'installation', object_id: inChild.id })).total).toBe(1);
    expect(assigned.id).toBeGreaterThan(0);
  });

  it('scopes readers who reach more installations than a statement has parameters', async () => {
    const rows = await f.db.installation.createManyAndReturn({
      data: Array.from({ length: 1500 }, (_, i) => ({ clientId: 30_000 + i, name: `i${i}`, organizationId: f.orgs.sibling, created: 1, updated: 1 })),
      select: { id: true },
    });
    await f.db.installationUser.createMany({ data: rows.map(({ id }) => ({ installationId: id, userId: f.user.userId })) });
    for (const r of await loadInstallationIndex(f.db)) f.index.upsert(r);
    const last = rows[rows.length - 1].id;
    await f.trace.record({ action: 'update', objectType: 'installation', objectId: last, description: 'reached', installationId: last, organizationId: f.orgs.sibling });
    await f.trace.record({ action: 'update', objectType: 'installation', objectId: 0, description: 'not reached', installationId: last + 1, organizationId: f.orgs.sibling });
    const reader = as(f.user, ['trace/list', 'installation/list/assigned'], [f.orgs.child]);
    expect((await f.trace.list(reader, {})).data.map((e) => e.description)).toEqual(['reached']);
  });
});

describe('TraceService.prune', () => {
  it('removes entries older than the retention and keeps the rest; 0 keeps everything', async () => {
    const old = await f.installations.create(f.admin, { name: 'Old', organization_id: f.orgs.child });
    f.clock.now += 10 * 86_400;
    const recent = await f.installations.create(f.admin, { name: 'Recent', organization_id: f.orgs.child });
    expect(await f.trace.prune(0)).toBe(0);
    expect(await f.trace.prune(5)).toBe(1);
    const left = await f.trace.list(f.admin, { order: 'asc' });
    expect(left.data.map((e) => e.object_id)).toEqual([recent.id]);
    expect(left.data.map((e) => e.object_id)).not.toContain(old.id);
  });
});

describe('goRuneObjectId', () => {
  it("reads go-lynx's one-character object ids as code points and leaves digits alone", () => {
    expect(goRuneObjectId('A')).toBe('65');
    expect(goRuneObjectId('\u03e8')).toBe('1000');
    expect(goRuneObjectId('\u{1F600}')).toBe(String(0x1f600));
    expect(goRuneObjectId('5')).toBe('5');
    expect(goRuneObjectId('12')).toBe('12');
    expect(goRuneObjectId('ab')).toBe('ab');
    expect(goRuneObjectId(7)).toBe(7);
  });
});
