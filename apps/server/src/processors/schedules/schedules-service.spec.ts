import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scheduleSchema, type Installation, viewerPermissions } from '@lynx/shared';
import { BadRequestError, ForbiddenError, NotFoundError } from '../../aam/errors.js';
import type { Principal } from '../../aam/principal.js';
import { createAamFixture, type AamFixture } from '../../aam/services/aam-test-fixture.js';
import { SchedulesService } from './schedules-service.js';

let f: AamFixture;
let svc: SchedulesService;
let a: Installation;
let b: Installation;

const body = {
  installation_id: 0,
  executor: 'server',
  active: true,
  day_of_week: '*',
  day_of_month: '*',
  month: '*',
  hour: '7',
  minute: '0',
  topic: 'set/obj/light',
  value: 1,
};

beforeEach(async () => {
  f = await createAamFixture();
  svc = new SchedulesService({ db: f.db, policy: f.policy, changes: { changed: (clientId, kind) => f.changes.push({ clientId, kind }) }, audit: f.trace, now: () => f.clock.now });
  a = await f.installations.create(f.admin, { name: 'A', users: [f.user.userId] });
  b = await f.installations.create(f.admin, { name: 'B' });
  f.changes.length = 0;
});
afterEach(async () => {
  await f.close();
});

describe('SchedulesService', () => {
  it('round-trips create, get, list, update and delete in the spec 1.13 shape', async () => {
    const created = await svc.create(f.admin, a.id, { ...body, installation_id: a.id });
    expect(scheduleSchema.strict().parse(created)).toEqual({
      id: created.id,
      installation_id: a.id,
      executor: 'server',
      active: true,
      day_of_week: '*',
      day_of_month: '*',
      month: '*',
      hour: '7',
      minute: '0',
      topic: 'set/obj/light',
      value: 1,
      created_at: 1_700_000_000,
      updated_at: 1_700_000_000,
    });
    expect(await svc.get(f.admin, a.id, created.id)).toEqual(created);
    expect(await svc.list(f.admin, a.id)).toEqual([created]);

    const updated = await svc.update(f.admin, a.id, created.id, { ...created, hour: '8', value: '2.5', active: false });
    expect(updated).toEqual({ ...created, hour: '8', value: 2.5, active: false, updated_at: 1_700_000_001 });
    expect(await svc.get(f.admin, a.id, created.id)).toEqual(updated);

    expect(await svc.delete(f.admin, a.id, created.id)).toEqual({ message: `schedule ${created.id} deleted` });
    await expect(svc.get(f.admin, a.id, created.id)).rejects.toThrow(NotFoundError);
    await expect(svc.delete(f.admin, a.id, created.id)).rejects.toThrow(NotFoundError);
    expect(f.changes).toEqual(Array(3).fill({ clientId: a.client_id, kind: 'schedule' }));

    const traced = (await f.trace.list(f.admin, { object_type: 'schedule', object_id: created.id, order: 'asc' })).data;
    expect(traced.map((e) => e.action)).toEqual(['create', 'update', 'delete']);
    expect(traced[0].description).toContain('"0 7 * * *"');
  });

  it('takes value as a number or a numeric string, defaults executor, active and cron fields', async () => {
    const s = await svc.create(f.admin, a.id, { topic: 'set/x', value: '1' });
    expect(s).toMatchObject({ executor: 'server', active: true, minute: '*', hour: '*', day_of_month: '*', month: '*', day_of_week: '*', value: 1 });
    expect((await svc.create(f.admin, a.id, { topic: 'set/x', value: ' -0.25 ' })).value).toBe(-0.25);
    expect((await svc.create(f.admin, a.id, { topic: 'set/x', value: 0 })).value).toBe(0);
    // The full topic form is accepted and stored relative.
    expect((await svc.create(f.admin, a.id, { topic: `${a.client_id}/set/y`, value: 1 })).topic).toBe('set/y');
  });

  it('filters the list by executor; an empty executor means all', async () => {
    const server = await svc.create(f.admin, a.id, { ...body, executor: 'server' });
    const edge = await svc.create(f.admin, a.id, { ...body, executor: 'edge_client' });
    await svc.create(f.admin, b.id, { ...body, executor: 'server' });
    expect((await svc.list(f.admin, a.id, { executor: 'server' })).map((s) => s.id)).toEqual([server.id]);
    expect((await svc.list(f.admin, a.id, { executor: 'edge_client' })).map((s) => s.id)).toEqual([edge.id]);
    expect((await svc.list(f.admin, a.id, { executor: '' })).map((s) => s.id)).toEqual([server.id, edge.id]);
    expect(await svc.list(f.admin, a.id, { executor: 'other' })).toEqual([]);
  });

  it('keeps stored fields a PUT leaves out or sends as Go zero values', async () => {
    const s = await svc.create(f.admin, a.id, { ...body, minute: '15', hour: '6-8', day_of_week: 'MON-FRI' });
    const updated = await svc.update(f.admin, a.id, s.id, { installation_id: 0, executor: '', minute: '', hour: '', day_of_week: '', topic: '', value: 3 });
    expect(updated).toMatchObject({ executor: 'server', minute: '15', hour: '6-8', day_of_week: 'MON-FRI', topic: 'set/obj/light', value: 3, active: true });
  });

  it('refuses bad input with a 400 naming the field', async () => {
    const cases: [unknown, RegExp][] = [
      [{ ...body, minute: '61' }, /^invalid minute: 61 is outside 0-59/],
      [{ ...body, hour: 'noon' }, /^invalid hour: /],
      [{ ...body, day_of_month: '0' }, /^invalid day_of_month: /],
      [{ ...body, month: 'FOO' }, /^invalid month: /],
      [{ ...body, day_of_week: '1-9' }, /^invalid day_of_week: /],
      [{ ...body, value: 'abc' }, /^invalid value: /],
      [{ ...body, value: 'Infinity' }, /^invalid value: /],
      [{ ...body, value: true }, /^invalid value: /],
      [{ ...body, value: undefined }, /^invalid value: required/],
      [{ ...body, topic: undefined }, /^invalid topic: required/],
      [{ ...body, topic: 'obj/+/x' }, /^invalid topic: wildcards/],
      [{ ...body, topic: '/abs' }, /^invalid topic: must be relative/],
      [{ ...body, active: 'yes' }, /^invalid active: /],
      [{ ...body, installation_id: b.id }, /does not match installation/],
      ['not an object', /^invalid body/],
    ];
    for (const [input, message] of cases) {
      const error = await svc.create(f.admin, a.id, input).then(
        () => null,
        (err: unknown) => err,
      );
      expect(error, JSON.stringify(input)).toBeInstanceOf(BadRequestError);
      expect((error as Error).message).toMatch(message);
    }
    const s = await svc.create(f.admin, a.id, body);
    await expect(svc.update(f.admin, a.id, s.id, { minute: '*/0' })).rejects.toThrow(/^invalid minute: /);
    expect(await svc.get(f.admin, a.id, s.id)).toEqual(s);
    expect(f.changes).toHaveLength(1);
  });

  it('honours silent', async () => {
    const s = await svc.create(f.admin, a.id, body, { silent: true });
    await svc.update(f.admin, a.id, s.id, { hour: '9' }, { silent: true });
    await svc.delete(f.admin, a.id, s.id, { silent: true });
    expect(f.changes).toEqual([]);
  });

  it('checks schedule/list, create_delete and update per installation (404 when invisible, 403 when visible)', async () => {
    const onA = await svc.create(f.admin, a.id, body);
    const onB = await svc.create(f.admin, b.id, body);
    // The built-in user is assigned to A only.
    expect(await svc.list(f.user, a.id)).toHaveLength(1);
    const s = await svc.create(f.user, a.id, body);
    await svc.update(f.user, a.id, s.id, { hour: '9' });
    await svc.delete(f.user, a.id, s.id);
    await expect(svc.list(f.user, b.id)).rejects.toThrow(NotFoundError);
    await expect(svc.get(f.user, b.id, onB.id)).rejects.toThrow(NotFoundError);
    await expect(svc.create(f.user, b.id, body)).rejects.toThrow(NotFoundError);
    // A schedule id of another installation is not found through this one.
    await expect(svc.get(f.admin, a.id, onB.id)).rejects.toThrow(NotFoundError);

    const viewer: Principal = { ...f.user, permissions: new Set(viewerPermissions) };
    expect(await svc.list(viewer, a.id)).toHaveLength(1);
    await expect(svc.create(viewer, a.id, body)).rejects.toThrow(ForbiddenError);
    await expect(svc.update(viewer, a.id, onA.id, { hour: '1' })).rejects.toThrow(ForbiddenError);
    await expect(svc.delete(viewer, a.id, onA.id)).rejects.toThrow(ForbiddenError);
    const updateOnly: Principal = { ...f.user, permissions: new Set(['installation/list/assigned', 'schedule/update/assigned']) };
    await expect(svc.list(updateOnly, a.id)).rejects.toThrow(ForbiddenError);
    expect((await svc.update(updateOnly, a.id, onA.id, { hour: '1' })).hour).toBe('1');
    await expect(svc.create(updateOnly, a.id, body)).rejects.toThrow(ForbiddenError);
    await expect(svc.create(f.childAdmin, a.id, body)).rejects.toThrow(NotFoundError);
  });
});
