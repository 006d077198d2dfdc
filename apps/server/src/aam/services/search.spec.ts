import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { searchResultSchema, type Installation } from '@lynx/shared';
import { BadRequestError } from '../errors.js';
import type { Principal } from '../principal.js';
import { createAamFixture, type AamFixture } from './aam-test-fixture.js';
import { SearchService } from './search.js';

let f: AamFixture;
let svc: SearchService;
let home: Installation;
let office: Installation;
let other: Installation;
const ids: Record<string, number> = {};

beforeEach(async () => {
  f = await createAamFixture();
  svc = new SearchService({ db: f.db, policy: f.policy });
  home = await f.installations.create(f.admin, { name: 'Sommarstuga Öland', notes: 'summer house', users: [f.user.userId], meta: { site: 'north' } });
  office = await f.installations.create(f.admin, { name: 'Office', users: [f.user.userId], protected_meta: { secret: 'kitchen-code' } });
  other = await f.installations.create(f.admin, { name: 'Kitchen lab', organization_id: f.orgs.sibling });
  ids.lamp = (await f.devices.create(f.admin, home.id, { type: 'shelly', meta: { name: 'Kitchen lamp', room: 'kök', description: 'ceiling' } })).id;
  ids.sensor = (await f.devices.create(f.admin, office.id, { type: 'virtual', meta: { name: 'Hall sensor', room: 'hall' }, protected_meta: { serial: 'KITCHEN-99' } })).id;
  ids.temp = (await f.functions.create(f.admin, home.id, { type: 'temperature', meta: { name: 'Temperatur Kök', device_id: String(ids.lamp), room: 'kök' } })).id;
  ids.switch = (await f.functions.create(f.admin, office.id, { type: 'switch', meta: { name: 'Light', room: 'hall' } })).id;
  ids.foreign = (await f.functions.create(f.admin, other.id, { type: 'switch', meta: { name: 'Kitchen fan', room: 'kök' } })).id;
});
afterEach(async () => {
  await f.close();
});

const found = (r: { results: { type: string; id: number }[] }) => r.results.map((e) => `${e.type}:${e.id}`);

describe('SearchService', () => {
  it('matches q case-insensitively in names and meta values, Unicode included, with the spec shape', async () => {
    const r = await svc.search(f.admin, { q: 'KÖK' });
    expect(searchResultSchema.strict().parse(r)).toEqual(r);
    expect(found(r)).toEqual([`device:${ids.lamp}`, `function:${ids.temp}`, `function:${ids.foreign}`]);
    expect(r).toMatchObject({ total: 3, limit: 100, offset: 0, q: 'KÖK' });
    expect(r.results[0]).toEqual({
      type: 'device',
      id: ids.lamp,
      installation_id: home.id,
      name: 'Kitchen lamp',
      description: 'ceiling',
      created: 1_700_000_000,
      updated: 1_700_000_000,
      meta_matches: { room: 'kök' },
      metadata: { description: 'ceiling', name: 'Kitchen lamp', room: 'kök' },
    });
    // Installation names and meta values, not keys.
    expect(found(await svc.search(f.admin, { q: 'öland' }))).toEqual([`installation:${home.id}`]);
    const north = await svc.search(f.admin, { q: 'NORTH' });
    expect(found(north)).toEqual([`installation:${home.id}`]);
    expect(north.results[0]).toMatchObject({ name: 'Sommarstuga Öland', description: 'summer house', meta_matches: { site: 'north' }, metadata: { site: 'north' } });
    expect(found(await svc.search(f.admin, { q: 'site' }))).toEqual([]);
    // Device and function types: "shelly" is only a type, "TEMPERAT" a type and part of a name.
    expect(found(await svc.search(f.admin, { q: 'shelly' }))).toEqual([`device:${ids.lamp}`]);
    expect(found(await svc.search(f.admin, { q: 'SWITCH' }))).toEqual([`function:${ids.switch}`, `function:${ids.foreign}`]);
  });

  it('stays within what the caller may list, and shows protected meta only where it may view it', async () => {
    // The built-in user is assigned to home and office, not to the sibling organization's lab.
    expect(found(await svc.search(f.user, { q: 'kitchen' }))).toEqual([`device:${ids.lamp}`]);
    expect(found(await svc.search(f.admin, { q: 'kitchen' }))).toEqual([
      `installation:${other.id}`,
      `installation:${office.id}`,
      `device:${ids.lamp}`,
      `device:${ids.sensor}`,
      `function:${ids.foreign}`,
    ].sort((a, b) => order(a) - order(b)));
    const sensor = (await svc.search(f.admin, { q: 'hall sensor' })).results[0];
    expect(sensor.metadata).toEqual({ name: 'Hall sensor', room: 'hall', serial: 'KITCHEN-99' });
    expect((await svc.search(f.user, { q: 'hall sensor' })).results[0].metadata).toEqual({ name: 'Hall sensor', room: 'hall' });
    // Per type: functions only.
    const functionsOnly: Principal = { ...f.user, permissions: new Set(['functionx/list/assigned']) };
    expect(found(await svc.search(functionsOnly, {}))).toEqual([`function:${ids.temp}`, `function:${ids.switch}`]);
    const nothing: Principal = { ...f.user, permissions: new Set() };
    expect(await svc.search(nothing, { q: 'kitchen' })).toMatchObject({ total: 0, results: [] });
    // An organization admin below the root sees nothing of these installations.
    expect((await svc.search(f.childAdmin, {})).total).toBe(0);
  });

  it('filters on types and exact metadata, the REST and tRPC forms alike', async () => {
    expect(found(await svc.search(f.admin, { types: 'function', 'metadata.room': 'kök' }))).toEqual([`function:${ids.temp}`, `function:${ids.foreign}`]);
    expect(found(await svc.search(f.admin, { types: ['function'], metadata: { room: 'kök' } }))).toEqual([`function:${ids.temp}`, `function:${ids.foreign}`]);
    expect(found(await svc.search(f.admin, { types: 'device,function', 'metadata.room': 'kök', q: 'temp' }))).toEqual([`function:${ids.temp}`]);
    expect(found(await svc.search(f.admin, { types: ['installation', 'installation'] }))).toEqual([`installation:${home.id}`, `installation:${office.id}`, `installation:${other.id}`]);
    expect(found(await svc.search(f.admin, { 'metadata.room': 'KÖK' }))).toEqual([]);
    // Odd keys are ordinary keys, not object internals.
    expect(found(await svc.search(f.admin, { 'metadata.__proto__': 'x' }))).toEqual([]);
    expect(found(await svc.search(f.admin, { 'metadata.constructor': 'x' }))).toEqual([]);
    // A protected key filters only for callers who may see it.
    expect(found(await svc.search(f.admin, { 'metadata.serial': 'KITCHEN-99' }))).toEqual([`device:${ids.sensor}`]);
    expect(found(await svc.search(f.user, { 'metadata.serial': 'KITCHEN-99' }))).toEqual([]);
    expect(found(await svc.search(f.admin, { 'metadata.secret': 'kitchen-code' }))).toEqual([`installation:${office.id}`]);
    expect(found(await svc.search(f.user, { 'metadata.secret': 'kitchen-code' }))).toEqual([]);
    const echoed = await svc.search(f.admin, { types: 'device', 'metadata.room': 'hall', 'metadata.empty': '' });
    expect(echoed).toMatchObject({ types: ['device'], metadata: { room: 'hall' } });
    expect(echoed).not.toHaveProperty('q');
  });

  it('pages with limit and offset; total counts every match', async () => {
    const all = await svc.search(f.admin, {});
    expect(all.total).toBe(8);
    const page = await svc.search(f.admin, { limit: '3', offset: '2' });
    expect(page).toMatchObject({ total: 8, limit: 3, offset: 2 });
    expect(page.results).toEqual(all.results.slice(2, 5));
    expect((await svc.search(f.admin, { limit: 0 })).limit).toBe(100);
    expect((await svc.search(f.admin, { limit: 100_000 })).limit).toBe(1000);
    expect((await svc.search(f.admin, { offset: 50 })).results).toEqual([]);
  });

  it('refuses bad parameters with a 400 naming them', async () => {
    for (const [query, message] of [
      [{ types: 'device,user' }, /^invalid types\.1: /],
      [{ limit: '-1' }, /^invalid limit: /],
      [{ offset: 'x' }, /^invalid offset: /],
      [{ q: 'x'.repeat(1001) }, /^invalid q: /],
      [{ 'metadata.': 'x' }, /^invalid metadata/],
    ] as const) {
      const error = await svc.search(f.admin, query).then(
        () => null,
        (err: unknown) => err,
      );
      expect(error, JSON.stringify(query)).toBeInstanceOf(BadRequestError);
      expect((error as Error).message).toMatch(message);
    }
  });
});

function order(entry: string): number {
  const [type, id] = entry.split(':');
  return ['installation', 'device', 'function'].indexOf(type) * 1e6 + Number(id);
}
