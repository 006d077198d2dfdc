import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { metaObjectSchema, xObjectSchema, type Installation } from '@lynx/shared';
import { BadRequestError, ForbiddenError, NotFoundError } from '../errors.js';
import { createAamFixture, type AamFixture } from './aam-test-fixture.js';

let f: AamFixture;
let a: Installation;
let b: Installation;
let queries: string[];

beforeEach(async () => {
  queries = [];
  // The store reports its SQL, to count queries per call.
  f = await createAamFixture({
    onQuery: (sql) => {
      if (/^\s*SELECT/i.test(sql)) queries.push(sql);
    },
  });
  a = await f.installations.create(f.admin, { name: 'A', users: [f.user.userId] });
  b = await f.installations.create(f.admin, { name: 'B' });
  f.changes.length = 0;
});
afterEach(async () => {
  await f.close();
});

const objectShape = xObjectSchema.strict();

describe.each(['devices', 'functions'] as const)('XObjectsService %s', (which) => {
  const svc = () => f[which];
  const kind = () => svc().kind;

  it('round-trips create, get, list, update and delete with exact shapes', async () => {
    const created = await svc().create(f.admin, a.id, { type: 'virtual', installation_id: a.id, meta: { name: 'Dev', 'example.type': 'go-lynx', n: 5 } });
    expect(objectShape.parse(created)).toEqual({
      id: created.id,
      type: 'virtual',
      installation_id: a.id,
      meta: { name: 'Dev', 'example.type': 'go-lynx', n: '5' },
      protected_meta: {},
      created: 1_700_000_000,
      updated: 1_700_000_000,
    });
    expect(await svc().get(f.admin, a.id, created.id)).toEqual(created);
    expect(await svc().list(f.admin, a.id)).toEqual([created]);

    const updated = await svc().update(f.admin, a.id, created.id, { ...created, type: 'other', meta: { name: 'New' } });
    expect(objectShape.parse(updated)).toEqual({ ...created, type: 'other', meta: { name: 'New' }, updated: 1_700_000_001 });
    f.clock.now += 100;
    expect((await svc().update(f.admin, a.id, created.id, { meta: { name: 'Newer' } })).updated).toBe(1_700_000_100);
    expect((await svc().get(f.admin, a.id, created.id)).type).toBe('other');

    expect(await svc().delete(f.admin, a.id, created.id)).toEqual({ message: expect.any(String) });
    await expect(svc().get(f.admin, a.id, created.id)).rejects.toThrow(NotFoundError);
    await expect(svc().delete(f.admin, a.id, created.id)).rejects.toThrow(NotFoundError);
    expect(f.changes).toEqual(Array(4).fill({ clientId: a.client_id, kind: kind() }));
  });

  it('suppresses events with silent, for objects and meta', async () => {
    const o = await svc().create(f.admin, a.id, { type: 't' }, { silent: true });
    await svc().update(f.admin, a.id, o.id, { meta: { x: '1' } }, { silent: true });
    await svc().createMeta(f.admin, a.id, o.id, 'k', { value: '1' }, { silent: true });
    await svc().updateMeta(f.admin, a.id, o.id, 'k', { value: '2' }, { silent: true });
    await svc().deleteMeta(f.admin, a.id, o.id, 'k', { silent: true });
    await svc().delete(f.admin, a.id, o.id, { silent: true });
    expect(f.changes).toEqual([]);
  });

  it('filters on meta and type, ignoring empty values', async () => {
    const t1 = await svc().create(f.admin, a.id, { type: 'temperature', meta: { device_id: '5', 'example.type': 'go-lynx' } });
    const s1 = await svc().create(f.admin, a.id, { type: 'switch', meta: { device_id: '5' } });
    await svc().create(f.admin, a.id, { type: 'temperature', meta: { device_id: '6' } });
    await svc().create(f.admin, b.id, { type: 'temperature', meta: { device_id: '5' } });
    const ids = async (filters: Record<string, string>) => (await svc().list(f.admin, a.id, filters)).map((o) => o.id);
    expect(await ids({ type: 'temperature', device_id: '5' })).toEqual([t1.id]);
    expect(await ids({ device_id: '5' })).toEqual([t1.id, s1.id]);
    expect(await ids({ 'example.type': 'go-lynx' })).toEqual([t1.id]);
    expect(await ids({ type: '', device_id: '5' })).toEqual([t1.id, s1.id]);
    expect((await ids({ type: '' })).length).toBe(3);
    expect(await ids({ device_id: '7' })).toEqual([]);
  });

  it('handles single meta keys with slashes, dots and GL casing', async () => {
    const o = await svc().create(f.admin, a.id, { type: 't', meta: { unit: 'C' } });
    const key = 'topic/read.x';
    expect(metaObjectSchema.strict().parse(await svc().createMeta(f.admin, a.id, o.id, key, { value: 'v' }))).toEqual({ value: 'v', protected: false });
    await expect(svc().createMeta(f.admin, a.id, o.id, key, { value: 'v' })).rejects.toThrow(BadRequestError);
    expect(await svc().updateMeta(f.admin, a.id, o.id, 'unit', { Value: '°C', Protected: false })).toEqual({ value: '°C', protected: false });
    expect(await svc().getMeta(f.admin, a.id, o.id, 'unit')).toEqual({ value: '°C', protected: false });
    await expect(svc().updateMeta(f.admin, a.id, o.id, 'nope', { value: '1' })).rejects.toThrow(NotFoundError);
    expect(await svc().updateMeta(f.admin, a.id, o.id, 'nope', { value: true }, { createMissing: true })).toEqual({ value: 'true', protected: false });
    await expect(svc().updateMeta(f.admin, a.id, o.id, 'bad', { value: { deep: 1 } }, { createMissing: true })).rejects.toThrow(BadRequestError);
    await expect(svc().updateMeta(f.admin, a.id, o.id, 'bad', {}, { createMissing: true })).rejects.toThrow(BadRequestError);
    await expect(svc().getMeta(f.admin, a.id, o.id, '')).rejects.toThrow(BadRequestError);
    const got = await svc().get(f.admin, a.id, o.id);
    expect(got.meta).toEqual({ unit: '°C', [key]: 'v', nope: 'true' });
    expect(got.updated).toBeGreaterThan(o.updated);
    expect(await svc().deleteMeta(f.admin, a.id, o.id, key)).toEqual({ message: expect.any(String) });
    await expect(svc().getMeta(f.admin, a.id, o.id, key)).rejects.toThrow(NotFoundError);
  });

  it('hides protected meta from callers without the view right and refuses edits without the edit right', async () => {
    const o = await svc().create(f.admin, a.id, { type: 't', meta: { name: 'n' }, protected_meta: { secret: 's' } });
    expect(o.protected_meta).toEqual({ secret: 's' });
    expect(await svc().getMeta(f.admin, a.id, o.id, 'secret')).toEqual({ value: 's', protected: true });
    const seen = await svc().get(f.user, a.id, o.id);
    expect(seen).toEqual({ ...o, protected_meta: {} });
    expect(await svc().list(f.user, a.id, { secret: 's' })).toEqual([]);
    expect((await svc().list(f.admin, a.id, { secret: 's' })).length).toBe(1);
    await expect(svc().getMeta(f.user, a.id, o.id, 'secret')).rejects.toThrow(NotFoundError);
    await expect(svc().updateMeta(f.user, a.id, o.id, 'secret', { value: 'x' })).rejects.toThrow(ForbiddenError);
    await expect(svc().deleteMeta(f.user, a.id, o.id, 'secret')).rejects.toThrow(NotFoundError);
    await expect(svc().createMeta(f.user, a.id, o.id, 'p2', { value: 'x', protected: true })).rejects.toThrow(ForbiddenError);
    await expect(svc().create(f.user, a.id, { type: 't', protected_meta: { p: '1' } })).rejects.toThrow(ForbiddenError);
    await expect(svc().update(f.user, a.id, o.id, { ...seen, protected_meta: { secret: 'changed' } })).rejects.toThrow(ForbiddenError);
    // A round trip of what the user saw leaves the protected key alone.
    await svc().update(f.user, a.id, o.id, { ...seen, meta: { name: 'renamed' } });
    expect(await svc().get(f.admin, a.id, o.id)).toMatchObject({ meta: { name: 'renamed' }, protected_meta: { secret: 's' } });
    // The admin may move a key between meta and protected_meta.
    const moved = await svc().update(f.admin, a.id, o.id, { meta: { name: 'renamed', secret: 'open' }, protected_meta: {} });
    expect(moved).toMatchObject({ meta: { name: 'renamed', secret: 'open' }, protected_meta: {} });
    await expect(svc().update(f.admin, a.id, o.id, { meta: { k: '1' }, protected_meta: { k: '2' } })).rejects.toThrow(BadRequestError);
  });

  it('isolates installations', async () => {
    const inB = await svc().create(f.admin, b.id, { type: 't' });
    const inA = await svc().create(f.user, a.id, { type: 't' });
    await expect(svc().list(f.user, b.id)).rejects.toThrow(NotFoundError);
    await expect(svc().get(f.user, b.id, inB.id)).rejects.toThrow(NotFoundError);
    await expect(svc().create(f.user, b.id, { type: 't' })).rejects.toThrow(NotFoundError);
    await expect(svc().delete(f.user, b.id, inB.id)).rejects.toThrow(NotFoundError);
    await expect(svc().getMeta(f.user, b.id, inB.id, 'name')).rejects.toThrow(NotFoundError);
    // An object is only reachable under its own installation.
    await expect(svc().get(f.admin, a.id, inB.id)).rejects.toThrow(NotFoundError);
    await expect(svc().delete(f.user, a.id, inB.id)).rejects.toThrow(NotFoundError);
    await expect(svc().update(f.admin, a.id, inB.id, { type: 'x' })).rejects.toThrow(NotFoundError);
    await expect(svc().create(f.admin, a.id, { type: 't', installation_id: b.id })).rejects.toThrow(BadRequestError);
    expect((await svc().list(f.user, a.id)).map((o) => o.id)).toEqual([inA.id]);
  });
});

describe('XObjectsService performance', () => {
  it('lists 1000 functions with meta in at most two queries', async () => {
    const rows = await f.db.function.createManyAndReturn({
      data: Array.from({ length: 1000 }, (_, i) => ({ installationId: a.id, type: i % 2 ? 'switch' : 'temperature', created: 1, updated: 1 })),
      select: { id: true },
    });
    await f.db.functionMeta.createMany({
      data: rows.flatMap(({ id }) => ['name', 'device_id', 'topic_read', 'unit', 'format'].map((key) => ({ functionId: id, key, value: `${key}-${id}` }))),
    });
    queries.length = 0;
    const list = await f.functions.list(f.admin, a.id, {});
    expect(list.length).toBe(1000);
    z.array(xObjectSchema).parse(list);
    expect(list[999].meta.name).toBe(`name-${rows[999].id}`);
    expect(queries.length).toBeLessThanOrEqual(2);

    queries.length = 0;
    expect((await f.functions.list(f.admin, a.id, { type: 'switch', unit: `unit-${rows[1].id}` })).length).toBe(1);
    expect(queries.length).toBeLessThanOrEqual(2);
  });
});
