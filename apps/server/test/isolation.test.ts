// Every installation is isolated from the others, on MQTT and on REST.
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssignedUser, createInstallation, type InstallationRef } from './helpers/fixtures.js';
import { expectOk, LynxHttp } from './helpers/lynx-http.js';
import { connackCode, connectMqtt, eventually, publishAsync, subscribeGranted } from './helpers/mqtt-client.js';
import { removeDataDir, startServerProcess, type ServerProcess } from './helpers/server-process.js';

let server: ServerProcess;
let admin: LynxHttp;
let adminToken: string;
let mine: InstallationRef;
let theirs: InstallationRef;
let user: { id: number; token: string; client: LynxHttp };
const clients: MqttClient[] = [];

beforeAll(async () => {
  server = await startServerProcess();
  ({ client: admin, token: adminToken } = await new LynxHttp(server.httpUrl).login(server.adminEmail, server.adminPassword));
  mine = await createInstallation(admin, 'Mine');
  theirs = await createInstallation(admin, 'Theirs');
  user = await createAssignedUser(admin, 'user@example.com', [mine.id]);
});

afterAll(async () => {
  for (const c of clients) c.end(true);
  await server?.stop();
  await removeDataDir(server.dataDir);
});

async function connect(token: string, clientId: string) {
  const c = await connectMqtt(server.mqttUrl, { username: 'any', password: token, clientId });
  clients.push(c);
  return c;
}

describe('MQTT', () => {
  it('refuses bad credentials with CONNACK 4 or 5', async () => {
    expect([4, 5]).toContain(await connackCode(server.mqttUrl, { username: 'apikey', password: 'not-a-token' }));
    expect([4, 5]).toContain(await connackCode(server.mqttUrl, { username: 'apikey' }));
  });

  it('lets a user subscribe to its installation and not to others or across installations', async () => {
    const c = await connect(user.token, 'user-sub');
    expect(await subscribeGranted(c, `${mine.client_id}/obj/#`, 1)).toBe(1);
    expect(await subscribeGranted(c, `${theirs.client_id}/obj/#`, 1)).toBe(128);
    for (const filter of ['#', '+/obj/#']) expect(await subscribeGranted(c, filter, 0), filter).toBe(128);
    // The connection survives the denials.
    await publishAsync(c, `${mine.client_id}/obj/alive`, { value: 1 }, 1);
  });

  it('drops a publish to another installation: not delivered, not stored', async () => {
    const watcher = await connect(adminToken, 'admin-watch');
    const seen: string[] = [];
    watcher.on('message', (topic) => seen.push(topic));
    await watcher.subscribeAsync('#', { qos: 1 });
    const c = await connect(user.token, 'user-pub');
    await publishAsync(c, `${theirs.client_id}/obj/intrusion`, { value: 666 }, 0);
    await publishAsync(c, `${mine.client_id}/obj/legit`, { value: 1 }, 1);
    await eventually(async () => seen.includes(`${mine.client_id}/obj/legit`));
    expect(seen).not.toContain(`${theirs.client_id}/obj/intrusion`);
    expect(expectOk(await admin.get<any[]>(`/api/v2/status/${theirs.id}`))).toEqual([]);
    expect(expectOk(await admin.get<any[]>(`/api/v2/status/${mine.id}?topics=obj/legit`))[0].value).toBe(1);
  });

  it('lets the admin use broad filters', async () => {
    const c = await connect(adminToken, 'admin-broad');
    expect(await subscribeGranted(c, '+/obj/#', 1)).toBe(1);
  });

  it('disconnects a client at once when its token is deleted', async () => {
    const created = expectOk(await user.client.post<{ id: number; token: string }>('/api/v2/user/me/security/token', { name: 'short' }));
    const c = await connect(created.token, 'user-revoked');
    const closed = new Promise<void>((resolve) => c.once('close', () => resolve()));
    expectOk(await user.client.delete(`/api/v2/user/me/security/token/${created.id}`));
    await closed;
    expect(await new LynxHttp(server.httpUrl).withKey(created.token).get('/api/v2/user/me').then((r) => r.status)).toBe(401);
    expect([4, 5]).toContain(await connackCode(server.mqttUrl, { username: 'x', password: created.token }));
  });
});

describe('REST', () => {
  it('shows a user only its installations', async () => {
    const infos = expectOk(await user.client.get<any[]>('/api/v2/installationinfo'));
    expect(infos.map((i) => i.id)).toEqual([mine.id]);
    expect(infos[0].assigned).toBe(true);
  });

  it('answers 404 for another installation data and objects', async () => {
    for (const path of [`/api/v2/status/${theirs.id}`, `/api/v3beta/log/${theirs.id}`, `/api/v2/functionx/${theirs.id}`, `/api/v2/devicex/${theirs.id}`, `/api/v2/installation/${theirs.id}`]) {
      const res = await user.client.get(path);
      expect(res.status, path).toBe(404);
      expect(res.body.message).toMatch(/not found/);
    }
    const res = await user.client.post(`/api/v2/functionx/${theirs.id}`, { type: 'x', meta: {} });
    expect(res.status).toBe(404);
  });
});
