// schedules.* and search through createCallerFactory over real services and a real store.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Installation } from '@lynx/shared';
import type { Principal } from '../../aam/principal.js';
import { createAamFixture, type AamFixture } from '../../aam/services/aam-test-fixture.js';
import { SearchService } from '../../aam/services/search.js';
import { SchedulesService } from '../../processors/schedules/schedules-service.js';
import type { AppServices } from '../../services.js';
import { appRouter } from './router.js';
import { createCallerFactory } from './trpc.js';

const createCaller = createCallerFactory(appRouter);
let f: AamFixture;
let services: AppServices;
let inst: Installation;

beforeEach(async () => {
  f = await createAamFixture();
  const changes = { changed: (clientId: number, kind: 'schedule') => f.changes.push({ clientId, kind }) };
  // Only what these procedures call; others fail loudly.
  services = {
    schedules: new SchedulesService({ db: f.db, policy: f.policy, changes, audit: f.trace, now: () => f.clock.now }),
    search: new SearchService({ db: f.db, policy: f.policy }),
  } as unknown as AppServices;
  inst = await f.installations.create(f.admin, { name: 'Home', users: [f.user.userId] });
  f.changes.length = 0;
});
afterEach(async () => {
  await f.close();
});

const caller = (principal: Principal | null) => createCaller({ services, principal });

describe('schedules procedures', () => {
  it('create, list, get, update and delete', async () => {
    const admin = caller(f.admin);
    const s = await admin.schedules.create({ installationId: inst.id, data: { hour: '7', minute: '0', topic: 'set/light', value: '1' } });
    expect(s).toMatchObject({ installation_id: inst.id, executor: 'server', active: true, hour: '7', minute: '0', value: 1 });
    expect(await admin.schedules.list({ installationId: inst.id, executor: 'server' })).toEqual([s]);
    expect(await admin.schedules.get({ installationId: inst.id, id: s.id })).toEqual(s);
    const u = await admin.schedules.update({ installationId: inst.id, id: s.id, data: { active: false }, silent: true });
    expect(u.active).toBe(false);
    expect(await admin.schedules.delete({ installationId: inst.id, id: s.id })).toEqual({ message: `schedule ${s.id} deleted` });
    expect(f.changes).toEqual([
      { clientId: inst.client_id, kind: 'schedule' },
      { clientId: inst.client_id, kind: 'schedule' },
    ]);
  });

  it('maps refusals and bad input to tRPC codes', async () => {
    await expect(caller(null).schedules.list({ installationId: inst.id })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(caller(f.childAdmin).schedules.list({ installationId: inst.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const viewer: Principal = { ...f.user, permissions: new Set(['installation/list/assigned', 'schedule/list/assigned']) };
    await expect(caller(viewer).schedules.create({ installationId: inst.id, data: { topic: 't', value: 1 } })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(caller(f.admin).schedules.create({ installationId: inst.id, data: { minute: '99', topic: 't', value: 1 } })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/^invalid minute: /),
    });
  });
});

describe('search procedure', () => {
  it('searches with the structured input', async () => {
    const fn = await f.functions.create(f.admin, inst.id, { type: 'switch', meta: { name: 'Porch light', room: 'porch' } });
    const r = await caller(f.user).search({ q: 'PORCH', types: ['function'], metadata: { room: 'porch' } });
    expect(r).toMatchObject({ total: 1, q: 'PORCH', types: ['function'], metadata: { room: 'porch' } });
    expect(r.results.map((e) => [e.type, e.id, e.meta_matches])).toEqual([['function', fn.id, { name: 'Porch light', room: 'porch' }]]);
    await expect(caller(null).search({})).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });
});
