// Gateway credentials (spec 1.6, 3.1 "Basic gateway", 3.3, 3.4) against the built server: issued
// by an administrator, used on MQTT and REST for the gateway's own installation only, and revoked
// at once by regeneration, reset or deleting the installation.
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssignedUser, createInstallation, type InstallationRef } from './helpers/fixtures.js';
import { expectOk, LynxHttp } from './helpers/lynx-http.js';
import { connackCode, connectMqtt, eventually, publishAsync, subscribeGranted } from './helpers/mqtt-client.js';
import { createGatewayCredentials, createLoggedInUser, gatewayClient, roleIds, type GatewayInformation } from './helpers/principals.js';
import { removeDataDir, startServerProcess, type ServerProcess } from './helpers/server-process.js';

let server: ServerProcess;
let admin: LynxHttp;
let mine: InstallationRef;
let theirs: InstallationRef;
let info: GatewayInformation;
const clients: MqttClient[] = [];

beforeAll(async () => {
  server = await startServerProcess();
  ({ client: admin } = await new LynxHttp(server.httpUrl).login(server.adminEmail, server.adminPassword));
  mine = await createInstallation(admin, 'Gateway site', { timezone: 'Europe/Stockholm' });
  theirs = await createInstallation(admin, 'Other site');
  info = await createGatewayCredentials(admin, mine.id);
});

afterAll(async () => {
  for (const c of clients) c.end(true);
  await server?.stop();
  await removeDataDir(server.dataDir);
});

/** Connects the way the edge client's bridge does: to mqtt_broker, as edge-<client_id>. */
async function connectGateway(gw: GatewayInformation): Promise<MqttClient> {
  const c = await connectMqtt(`mqtt://${gw.mqtt_broker}`, { username: gw.mqtt_username, password: gw.mqtt_password, clientId: gw.mqtt_client_id });
  clients.push(c);
  return c;
}

const closedPromise = (c: MqttClient) => new Promise<void>((resolve) => c.once('close', () => resolve()));

describe('issuing credentials', () => {
  it('answers GatewayInformation with addresses this server is reached at', () => {
    const mqttPort = new URL(server.mqttUrl).port;
    expect(info).toEqual({
      client_id: mine.client_id,
      installation_id: mine.id,
      api: server.httpUrl,
      aam: server.httpUrl,
      mqtt_broker: `127.0.0.1:${mqttPort}`,
      mqtt_username: expect.stringMatching(/^gw-/),
      mqtt_password: expect.stringMatching(/^[0-9a-f]{64}$/),
      mqtt_client_id: `edge-${mine.client_id}`,
      timezone: 'Europe/Stockholm',
    });
  });

  it('refuses callers without gateway/reset/password on the installation: 404 when invisible, 403 when visible', async () => {
    const roles = await roleIds(admin);
    const sibling = expectOk(await admin.post<{ id: number }>('/api/v2/organization', { name: 'Sibling' }));
    const viewer = await createLoggedInUser(admin, { email: 'viewer@sibling.example', role: roles.viewer, organisations: [sibling.id] });
    const assigned = await createAssignedUser(admin, 'worker@example.com', [mine.id]);
    for (const path of [`/api/v2/gateway/credentials/${mine.id}`, `/api/v2/gateway/reset/${mine.id}`]) {
      const hidden = await viewer.client.post(path);
      expect([hidden.status, hidden.body.message], path).toEqual([404, `installation ${mine.id} not found`]);
      const visible = await assigned.client.post(path);
      expect(visible.status, path).toBe(403);
      expect(visible.body.message).toMatch(/gateway\/reset\/password/);
    }
    expect((await new LynxHttp(server.httpUrl).post(`/api/v2/gateway/credentials/${mine.id}`)).status).toBe(401);
  });

  it('answers 400 or 404, never 500, for bad installation ids', async () => {
    for (const action of ['credentials', 'reset']) {
      for (const [id, status] of [['abc', 400], ['-1', 400], ['1.5', 400], ['99999999999', 404], ['2147483000', 404]] as const) {
        const res = await admin.post(`/api/v2/gateway/${action}/${id}`);
        expect([res.status, typeof res.body?.message], `${action}/${id}`).toEqual([status, 'string']);
      }
    }
  });

  it('works through tRPC too, where a gateway is no user', async () => {
    const extra = await createInstallation(admin, 'tRPC site');
    const res = await admin.post<{ result: { data: GatewayInformation } }>('/trpc/gateway.credentials', { installation_id: extra.id }, { 'Content-Type': 'application/json' });
    expect(res.status).toBe(200);
    const gw = res.body.result.data;
    expect([gw.installation_id, gw.api, gw.mqtt_client_id]).toEqual([extra.id, server.httpUrl, `edge-${extra.client_id}`]);
    const asGateway = gatewayClient(server.httpUrl, gw);
    const me = await asGateway.get<{ error: { message: string } }>('/trpc/me');
    expect(me.status).toBe(403);
    expect(me.body.error.message).toMatch(/belongs to a gateway/);
    expect((await admin.post('/trpc/gateway.reset', { installation_id: extra.id }, { 'Content-Type': 'application/json' })).status).toBe(200);
    expect((await asGateway.get('/api/v2/installationinfo')).status).toBe(401);
  });
});

describe('MQTT with gateway credentials', () => {
  it('publishes under its own client id: stored and readable over REST', async () => {
    const c = await connectGateway(info);
    await publishAsync(c, `${mine.client_id}/obj/edge/temperature`, { value: 21.5, timestamp: 1_700_000_000 }, 1);
    const status = await eventually(async () => {
      const rows = expectOk(await admin.get<{ topic: string; value: number }[]>(`/api/v2/status/${mine.id}?topics=obj/edge/temperature`));
      return rows.length ? rows : null;
    });
    expect(status[0]).toMatchObject({ topic: 'obj/edge/temperature', value: 21.5 });
  });

  it('subscribes to its own installation only, and never across installations', async () => {
    const c = await connectGateway({ ...info, mqtt_client_id: `${info.mqtt_client_id}-sub` });
    expect(await subscribeGranted(c, `${mine.client_id}/set/#`, 1)).toBe(1);
    expect(await subscribeGranted(c, `${theirs.client_id}/obj/#`, 1)).toBe(128);
    for (const filter of ['#', '+/obj/#', '+/#']) expect(await subscribeGranted(c, filter, 0), filter).toBe(128);
  });

  it('cannot publish to another installation: not stored', async () => {
    const c = await connectGateway({ ...info, mqtt_client_id: `${info.mqtt_client_id}-pub` });
    await publishAsync(c, `${theirs.client_id}/obj/intrusion`, { value: 666 }, 1);
    // Acknowledged in order: once the later message is stored, the earlier one was handled.
    await publishAsync(c, `${mine.client_id}/obj/after`, { value: 2 }, 1);
    await eventually(async () => expectOk(await admin.get<unknown[]>(`/api/v2/status/${mine.id}?topics=obj/after`)).length > 0);
    expect(expectOk(await admin.get<unknown[]>(`/api/v2/status/${theirs.id}`))).toEqual([]);
  });
});

describe('REST with gatewayAuth (Basic mqtt_username:mqtt_password)', () => {
  it('works on its own installation: read it, sync functions and devices, read status', async () => {
    const gw = gatewayClient(server.httpUrl, info);
    expect(expectOk(await gw.get<{ id: number }[]>('/api/v2/installationinfo')).map((i) => i.id)).toEqual([mine.id]);
    expect(expectOk(await gw.get<{ id: number }>(`/api/v2/installation/${mine.id}`)).id).toBe(mine.id);
    const fn = expectOk(await gw.post<{ id: number }>(`/api/v2/functionx/${mine.id}`, { type: 'temperature', meta: { topic_read: 'obj/edge/temperature' } }));
    expect(expectOk(await gw.get<{ id: number }[]>(`/api/v2/functionx/${mine.id}`)).map((f) => f.id)).toContain(fn.id);
    expectOk(await gw.post(`/api/v2/devicex/${mine.id}`, { type: 'sensor', meta: {} }));
    expect(expectOk(await gw.get<unknown[]>(`/api/v2/status/${mine.id}`)).length).toBeGreaterThan(0);
    expect((await gw.put(`/api/v2/installation/${mine.id}`, { name: 'renamed' })).status).toBe(403);
  });

  it('gets 404 on other installations and 403 on users, tokens, roles and gateway credentials', async () => {
    const gw = gatewayClient(server.httpUrl, info);
    for (const path of [`/api/v2/functionx/${theirs.id}`, `/api/v2/installation/${theirs.id}`, `/api/v2/status/${theirs.id}`]) {
      expect((await gw.get(path)).status, path).toBe(404);
    }
    expect((await gw.post(`/api/v2/functionx/${theirs.id}`, { type: 'x', meta: {} })).status).toBe(404);
    for (const path of ['/api/v2/user', '/api/v2/user/me', '/api/v2/user/me/security/token', '/api/v2/role', '/api/v2/organization']) {
      const res = await gw.get(path);
      expect(res.status, path).toBe(403);
    }
    expect((await gw.get('/api/v2/user/me')).body.message).toMatch(/belongs to a gateway/);
    expect((await gw.post(`/api/v2/gateway/credentials/${mine.id}`)).status).toBe(403);
    expect((await gw.post(`/api/v2/gateway/reset/${mine.id}`)).status).toBe(403);
  });

  it('refuses a wrong password and does not take the password as an API key', async () => {
    expect((await new LynxHttp(server.httpUrl, { Authorization: LynxHttp.basic(info.mqtt_username, 'f'.repeat(64)) }).get('/api/v2/installationinfo')).status).toBe(401);
    expect((await new LynxHttp(server.httpUrl).withKey(info.mqtt_password).get('/api/v2/installationinfo')).status).toBe(401);
    expect((await new LynxHttp(server.httpUrl, { Authorization: LynxHttp.basic('apikey', info.mqtt_password) }).get('/api/v2/installationinfo')).status).toBe(401);
  });
});

describe('revocation', () => {
  it('regenerating disconnects the connected gateway and retires the old password on MQTT and REST', async () => {
    const old = await createGatewayCredentials(admin, mine.id);
    const c = await connectGateway(old);
    const closed = closedPromise(c);
    const fresh = await createGatewayCredentials(admin, mine.id);
    await closed;
    expect([4, 5]).toContain(await connackCode(server.mqttUrl, { username: old.mqtt_username, password: old.mqtt_password, clientId: old.mqtt_client_id }));
    expect((await gatewayClient(server.httpUrl, old).get('/api/v2/installationinfo')).status).toBe(401);
    // The new one works at once, on the same client id.
    const again = await connectGateway(fresh);
    expect(await subscribeGranted(again, `${mine.client_id}/obj/#`, 1)).toBe(1);
    expect((await gatewayClient(server.httpUrl, fresh).get(`/api/v2/functionx/${mine.id}`)).status).toBe(200);
    info = fresh;
  });

  it('reset revokes without issuing new credentials', async () => {
    const c = await connectGateway(info);
    const closed = closedPromise(c);
    expect(expectOk(await admin.post<{ message: string }>(`/api/v2/gateway/reset/${mine.id}`)).message).toMatch(/reset/);
    await closed;
    expect((await gatewayClient(server.httpUrl, info).get('/api/v2/installationinfo')).status).toBe(401);
    expect([4, 5]).toContain(await connackCode(server.mqttUrl, { username: info.mqtt_username, password: info.mqtt_password }));
  });

  it('leaves creation, reset, connects and wrong passwords in the trace, never a password', async () => {
    const trace = expectOk(await admin.get<{ data: { action: string; user_id: number; description: string; path: string }[] }>(`/api/v2/trace?object_type=gateway&object_id=${mine.id}&limit=1000`));
    const actions = new Set(trace.data.map((e) => e.action));
    for (const action of ['create', 'delete', 'auth', 'failed']) expect(actions, action).toContain(action);
    const created = trace.data.find((e) => e.action === 'create')!;
    expect(created.path).toBe(`/api/v2/gateway/credentials/${mine.id}`);
    expect(created.user_id).toBeGreaterThan(0);
    expect(trace.data.find((e) => e.action === 'auth')!.user_id).toBe(0);
    expect(JSON.stringify(trace.data)).not.toContain(info.mqtt_password);
  });

  it('deleting the installation deletes and disconnects its gateway', async () => {
    const doomed = await createInstallation(admin, 'Doomed site');
    const gw = await createGatewayCredentials(admin, doomed.id);
    const c = await connectGateway(gw);
    const closed = closedPromise(c);
    expectOk(await admin.delete(`/api/v2/installation/${doomed.id}`));
    await closed;
    expect((await gatewayClient(server.httpUrl, gw).get('/api/v2/installationinfo')).status).toBe(401);
    expect([4, 5]).toContain(await connackCode(server.mqttUrl, { username: gw.mqtt_username, password: gw.mqtt_password }));
  });
});
