// Schedules (spec 1.13, 2.10, 4.5) against the built server: CRUD in the Lynx shape, validation,
// the schedule/updated event, permissions for users, viewers and gateways, the trace, and a restart
// on the same data dir. The runner's timing is covered by processors/schedules/*.spec.ts with an
// injected clock; here a restart shows the built server runs `server` schedules for the minute it
// starts in, exactly once.
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstallation, type InstallationRef } from './helpers/fixtures.js';
import { expectOk, LynxHttp } from './helpers/lynx-http.js';
import { connectMqtt, eventually } from './helpers/mqtt-client.js';
import { createGatewayCredentials, createLoggedInUser, gatewayClient, roleIds } from './helpers/principals.js';
import { removeDataDir, startServerProcess, type ServerProcess } from './helpers/server-process.js';
import { TopicRecorder } from './helpers/topic-recorder.js';

let server: ServerProcess;
let admin: LynxHttp;
let token: string;
let inst: InstallationRef;
let other: InstallationRef;
let subscriber: MqttClient;
let events: TopicRecorder;

// Spec 7 call 21.
const body = (installationId: number) => ({
  installation_id: installationId,
  executor: 'server',
  active: true,
  day_of_week: '*',
  day_of_month: '*',
  month: '*',
  hour: '7',
  minute: '0',
  topic: 'set/obj/light',
  value: 1,
});

beforeAll(async () => {
  server = await startServerProcess();
  ({ client: admin, token } = await new LynxHttp(server.httpUrl).login(server.adminEmail, server.adminPassword));
  inst = await createInstallation(admin, 'Home', { timezone: 'Europe/Stockholm' });
  other = await createInstallation(admin, 'Elsewhere');
  subscriber = await connectMqtt(server.mqttUrl, { username: 'apikey', password: token });
  events = new TopicRecorder(subscriber);
  await subscriber.subscribeAsync(`${inst.client_id}/evt/#`, { qos: 1 });
});

afterAll(async () => {
  subscriber?.end(true);
  await server?.stop();
  if (server) await removeDataDir(server.dataDir);
});

const eventTopic = () => `${inst.client_id}/evt/schedule/updated`;

describe('schedule CRUD', () => {
  it('creates, lists by executor, gets, replaces and deletes, with an event after each change', async () => {
    const created = expectOk(await admin.post(`/api/v2/schedule/${inst.id}`, body(inst.id)));
    expect(created).toEqual({
      id: expect.any(Number),
      ...body(inst.id),
      created_at: expect.any(Number),
      updated_at: created.created_at,
    });
    expect(Math.abs(created.created_at - Date.now() / 1000)).toBeLessThan(120);
    expect(await events.waitFor(eventTopic())).toEqual(['{}']);

    // node-lynx sends value as a string and no `active`.
    const { active: _active, ...nodeLynx } = body(inst.id);
    const edge = expectOk(await admin.post(`/api/v2/schedule/${inst.id}`, { ...nodeLynx, executor: 'edge_client', value: '1' }));
    expect(edge).toMatchObject({ executor: 'edge_client', value: 1, active: true });

    expect(expectOk(await admin.get(`/api/v2/schedule/${inst.id}?executor=server`))).toEqual([created]);
    expect(expectOk(await admin.get(`/api/v2/schedule/${inst.id}?executor=edge_client`))).toEqual([edge]);
    expect(expectOk(await admin.get(`/api/v2/schedule/${inst.id}`))).toEqual([created, edge]);
    expect(expectOk(await admin.get(`/api/v2/schedule/${inst.id}/${created.id}`))).toEqual(created);

    const replaced = expectOk(await admin.put(`/api/v2/schedule/${inst.id}/${created.id}`, { ...created, minute: '30', day_of_week: 'MON-FRI', value: 0.5 }));
    expect(replaced).toEqual({ ...created, minute: '30', day_of_week: 'MON-FRI', value: 0.5, updated_at: expect.any(Number) });
    expect(replaced.updated_at).toBeGreaterThan(created.updated_at);

    expect(expectOk(await admin.delete(`/api/v2/schedule/${inst.id}/${edge.id}`))).toEqual({ message: `schedule ${edge.id} deleted` });
    const gone = await admin.get(`/api/v2/schedule/${inst.id}/${edge.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.message).toMatch(/not found/);
    // create, create, update, delete
    await eventually(async () => events.payloads(eventTopic()).length >= 4);

    // silent=true: no event. A later non-silent change proves the events in between would have arrived.
    const before = events.payloads(eventTopic()).length;
    const quiet = expectOk(await admin.post(`/api/v2/schedule/${inst.id}?silent=true`, body(inst.id)));
    expectOk(await admin.put(`/api/v2/schedule/${inst.id}/${quiet.id}?silent=true`, { hour: '9' }));
    expectOk(await admin.delete(`/api/v2/schedule/${inst.id}/${quiet.id}?silent=true`));
    expectOk(await admin.put(`/api/v2/schedule/${inst.id}/${created.id}`, { hour: '8' }));
    await eventually(async () => events.payloads(eventTopic()).length >= before + 1);
    // The broker delivers in order: had a silent change published, it would have come first.
    expect(events.payloads(eventTopic())).toHaveLength(before + 1);

    const trace = expectOk(await admin.get(`/api/v2/trace?object_type=schedule&object_id=${created.id}&order=asc`));
    expect(trace.data.map((e: { action: string }) => e.action)).toEqual(['create', 'update', 'update']);
    expect(trace.data[0]).toMatchObject({ object_type: 'schedule', object_id: created.id, method: 'POST', path: `/api/v2/schedule/${inst.id}` });
  });

  it('answers 400 naming the field for bad input, 404 for unknown ids', async () => {
    const cases: [unknown, RegExp][] = [
      [{ ...body(inst.id), minute: '60' }, /^invalid minute: /],
      [{ ...body(inst.id), hour: '7-3' }, /^invalid hour: /],
      [{ ...body(inst.id), day_of_week: 'FUNDAY' }, /^invalid day_of_week: /],
      [{ ...body(inst.id), month: '*/0' }, /^invalid month: /],
      [{ ...body(inst.id), day_of_month: '32' }, /^invalid day_of_month: /],
      [{ ...body(inst.id), value: 'on' }, /^invalid value: /],
      [{ ...body(inst.id), value: null }, /^invalid value: required/],
      [{ ...body(inst.id), topic: '#' }, /^invalid topic: /],
      [{ ...body(inst.id), installation_id: other.id }, /does not match/],
    ];
    for (const [input, message] of cases) {
      const res = await admin.post(`/api/v2/schedule/${inst.id}`, input);
      expect(res.status, JSON.stringify(input)).toBe(400);
      expect(res.body.message).toMatch(message);
    }
    expect((await admin.post(`/api/v2/schedule/${inst.id}`, '{not json')).status).toBe(400);
    expect((await admin.get(`/api/v2/schedule/abc`)).status).toBe(400);
    expect((await admin.get(`/api/v2/schedule/999999`)).status).toBe(404);
    expect((await admin.get(`/api/v2/schedule/${inst.id}/999999`)).status).toBe(404);
    expect((await admin.put(`/api/v2/schedule/${inst.id}/999999`, body(inst.id))).status).toBe(404);
    expect((await admin.delete(`/api/v2/schedule/${inst.id}/999999`)).status).toBe(404);
  });
});

describe('schedule permissions', () => {
  it('lets assigned users work, viewers and gateways list only, and hides other installations', async () => {
    const roles = await roleIds(admin);
    const me = expectOk(await admin.get<{ organisations: number[] }>('/api/v2/user/me'));
    const org = me.organisations[0];
    const onOther = expectOk(await admin.post(`/api/v2/schedule/${other.id}`, body(other.id)));

    const user = await createLoggedInUser(admin, { email: 'sched-user@example.com', role: roles.user, organisations: [org], assigned_installations: [inst.id] });
    const mine = expectOk(await user.client.post(`/api/v2/schedule/${inst.id}`, body(inst.id)));
    expectOk(await user.client.put(`/api/v2/schedule/${inst.id}/${mine.id}`, { value: 2 }));
    expectOk(await user.client.delete(`/api/v2/schedule/${inst.id}/${mine.id}`));
    expect((await user.client.get(`/api/v2/schedule/${other.id}`)).status).toBe(404);
    expect((await user.client.get(`/api/v2/schedule/${other.id}/${onOther.id}`)).status).toBe(404);
    expect((await user.client.post(`/api/v2/schedule/${other.id}`, body(other.id))).status).toBe(404);

    const viewer = await createLoggedInUser(admin, { email: 'sched-viewer@example.com', role: roles.viewer, organisations: [org], assigned_installations: [inst.id] });
    const listed = expectOk(await viewer.client.get<{ id: number }[]>(`/api/v2/schedule/${inst.id}`));
    expect(listed.length).toBeGreaterThan(0);
    const refused = await viewer.client.post(`/api/v2/schedule/${inst.id}`, body(inst.id));
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/schedule\/create_delete/);
    expect((await viewer.client.put(`/api/v2/schedule/${inst.id}/${listed[0].id}`, { value: 3 })).status).toBe(403);
    expect((await viewer.client.delete(`/api/v2/schedule/${inst.id}/${listed[0].id}`)).status).toBe(403);

    // The edge client syncs its schedules with the gateway credential.
    const gw = gatewayClient(server.httpUrl, await createGatewayCredentials(admin, inst.id));
    expect(expectOk(await gw.get(`/api/v2/schedule/${inst.id}?executor=edge_client`))).toEqual([]);
    expect(expectOk(await gw.get<unknown[]>(`/api/v2/schedule/${inst.id}?executor=server`)).length).toBeGreaterThan(0);
    expect((await gw.post(`/api/v2/schedule/${inst.id}`, body(inst.id))).status).toBe(403);
    expect((await gw.get(`/api/v2/schedule/${other.id}`)).status).toBe(404);
  });
});

describe('restart', () => {
  it('keeps schedules, and the restarted server runs a server schedule for the minute it starts in, once', async () => {
    const every = expectOk(await admin.post(`/api/v2/schedule/${inst.id}`, { ...body(inst.id), hour: '*', minute: '*', topic: 'obj/scheduled', value: '42' }));
    const before = expectOk(await admin.get(`/api/v2/schedule/${inst.id}`));
    subscriber.end(true);
    expect(await server.stop()).toBe(0);

    server = await startServerProcess({ dataDir: server.dataDir });
    admin = new LynxHttp(server.httpUrl).withKey(token);
    expect(expectOk(await admin.get(`/api/v2/schedule/${inst.id}`))).toEqual(before);
    // Start-up processed the current minute before reporting ready, so the value is stored already.
    const [status] = expectOk(await admin.get<{ value: number; timestamp: number }[]>(`/api/v2/status/${inst.id}?topics=obj/scheduled`));
    expect(status.value).toBe(42);
    expect(status.timestamp % 60).toBe(0);
    expect(status.timestamp).toBeGreaterThanOrEqual(Math.floor(every.created_at / 60) * 60);
    const now = Date.now() / 1000;
    const log = expectOk(await admin.get(`/api/v3beta/log/${inst.id}?from=${every.created_at - 60}&to=${now + 60}&topics=obj/scheduled&order=asc`));
    const stamps = log.data.map((d: { timestamp: number }) => d.timestamp);
    // One point per minute at most: no minute ran twice across the restart.
    expect(new Set(stamps).size).toBe(stamps.length);
    expect(stamps.every((t: number) => t % 60 === 0)).toBe(true);
  });
});
