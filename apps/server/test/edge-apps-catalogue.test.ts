// Edge-app catalogue, versions and configured instances (spec 2.9) against the built server, with
// multipart bodies written by hand as node-lynx (FormData files app_lua/app_json) and go-lynx send
// them; instance changes announced on MQTT; everything still there after a restart.
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstallation, type InstallationRef } from './helpers/fixtures.js';
import { expectOk, LynxHttp } from './helpers/lynx-http.js';
import { connectMqtt, eventually } from './helpers/mqtt-client.js';
import { rawRequest, sendMultipart, type RawPart } from './helpers/multipart.js';
import { createGatewayCredentials, createLoggedInUser, gatewayClient, roleIds } from './helpers/principals.js';
import { TopicRecorder } from './helpers/topic-recorder.js';
import { makeDataDir, removeDataDir, startServerProcess, type ServerProcess } from './helpers/server-process.js';

const uploadLimit = 64 * 1024;
let dataDir: string;
let server: ServerProcess;
let admin: LynxHttp;
let apiKey: string;
let inst: InstallationRef;
let rootOrg: number;
const clients: MqttClient[] = [];

async function start() {
  server = await startServerProcess({ dataDir, env: { LYNX_MAX_UPLOAD_BYTES: String(uploadLimit) } });
  admin = new LynxHttp(server.httpUrl).withKey(apiKey);
}

beforeAll(async () => {
  dataDir = await makeDataDir();
  server = await startServerProcess({ dataDir, env: { LYNX_MAX_UPLOAD_BYTES: String(uploadLimit) } });
  const { client } = await new LynxHttp(server.httpUrl).login(server.adminEmail, server.adminPassword);
  apiKey = expectOk(await client.post<{ token: string }>('/api/v2/user/me/security/token', { name: 'edge test' })).token;
  admin = client.withKey(apiKey);
  rootOrg = expectOk(await admin.get<{ organisations: number[] }>('/api/v2/user/me')).organisations[0];
  inst = await createInstallation(admin, 'Edge site');
});

afterAll(async () => {
  for (const c of clients) c.end(true);
  await server?.stop();
  if (dataDir) await removeDataDir(dataDir);
});

const lua = 'function onStart()\n  log.info("åäö")\nend\n';
const appJson = { author: 'test', license: 'MIT', input: { functions: { type: 'multi_function_selector', name: 'Functions', required: true } }, guide: [] };
const auth = () => ({ 'X-API-Key': apiKey });

/** node-lynx CreateEdgeAppVersion: FormData blobs named app.json / app.lua (octet-stream). */
const nodeLynxParts = (luaText: string, json: string): RawPart[] => [
  { name: 'app_json', filename: 'app.json', contentType: 'application/octet-stream', data: json },
  { name: 'app_lua', filename: 'app.lua', contentType: 'application/octet-stream', data: luaText },
];
/** go-lynx style: file parts with their own text Content-Types. */
const goLynxParts = (luaText: string, json: string): RawPart[] => [
  { name: 'app_lua', filename: 'app.lua', contentType: 'text/x-lua', data: luaText },
  { name: 'app_json', filename: 'app.json', contentType: 'application/json', data: json },
];

let appId: number;
let hash: string;

describe('catalogue and versions', () => {
  it('creates an app published by an organization', async () => {
    const created = expectOk(
      await admin.post('/api/v2/edge/app', { name: 'Value alarm', category: 'alarm', tags: ['alarm'], short_description: 's', description: 'd', publisher: { id: rootOrg }, public: false, source_url: '' }),
    );
    expect(created).toMatchObject({ name: 'Value alarm', publisher: { id: rootOrg }, public: false, official: false });
    appId = created.id;
    expect(expectOk(await admin.get('/api/v2/edge/app')).map((a: any) => a.id)).toContain(appId);
    expect(expectOk(await admin.get(`/api/v2/edge/publisher/${rootOrg}`))).toMatchObject({ id: rootOrg, apps: [{ id: appId }] });
    expect(expectOk(await admin.get(`/api/v2/edge/app/organization/${rootOrg}?available=true`)).map((a: any) => a.id)).toContain(appId);
    const del = await admin.delete(`/api/v2/edge/app/${appId}`);
    expect(del.status).toBe(405);
  });

  it('uploads a version (node-lynx form) and answers the same hash for the same upload (go-lynx form), storing one version', async () => {
    const first = await sendMultipart(server.httpUrl, 'POST', `/api/v2/edge/app/${appId}/version`, auth(), nodeLynxParts(lua, JSON.stringify(appJson)));
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ name: '', hash: expect.stringMatching(/^[0-9a-f]{64}$/), timestamp: expect.any(Number) });
    hash = first.json.hash;
    const second = await sendMultipart(server.httpUrl, 'POST', `/api/v2/edge/app/${appId}/version`, auth(), goLynxParts(lua, JSON.stringify(appJson)));
    expect(second.json.hash).toBe(hash);
    expect(expectOk(await admin.get(`/api/v2/edge/app/${appId}/version?untagged=true`))).toEqual([first.json]);
    expect(expectOk(await admin.get(`/api/v2/edge/app/${appId}/version?untagged=false`))).toEqual([]);
  });

  it("accepts node-lynx's CreateEdgeAppVersion body as Node's FormData writes it", async () => {
    const form = new FormData();
    form.append('app_json', new Blob([JSON.stringify(appJson)]), 'app.json');
    form.append('app_lua', new Blob([lua]), 'app.lua');
    const res = await fetch(`${server.httpUrl}/api/v2/edge/app/${appId}/version`, { method: 'POST', headers: auth(), body: form });
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).hash).toBe(hash);
  });

  it('refuses an app.json that is not JSON naming the part, a JSON body, and uploads over the limit', async () => {
    const bad = await sendMultipart(server.httpUrl, 'POST', `/api/v2/edge/app/${appId}/version`, auth(), nodeLynxParts(lua, '{"input": '));
    expect(bad.status).toBe(400);
    expect(bad.json.message).toMatch(/app_json/);
    const json = await admin.post(`/api/v2/edge/app/${appId}/version`, { app_lua: lua });
    expect(json.status).toBe(400);
    expect(json.body.message).toMatch(/multipart/);
    const big = await sendMultipart(server.httpUrl, 'POST', `/api/v2/edge/app/${appId}/version`, auth(), nodeLynxParts('-- ' + 'x'.repeat(uploadLimit + 1), '{}'));
    expect(big.status).toBe(413);
    expect(big.json.message).toMatch(new RegExp(String(uploadLimit)));
    // A multipart body sent to a JSON endpoint is a clear 400, not an empty body.
    const wrong = await sendMultipart(server.httpUrl, 'POST', '/api/v2/edge/app', auth(), [{ name: 'name', data: 'x' }]);
    expect(wrong.status).toBe(400);
    expect(wrong.json.message).toMatch(/JSON body, not multipart/);
    expect(expectOk(await admin.get(`/api/v2/edge/app/${appId}/version?untagged=true`))).toHaveLength(1);
  });

  it('publishes the hash, downloads the Lua source byte for byte and answers app.json from configure', async () => {
    const published = expectOk(await admin.post(`/api/v2/edge/app/${appId}/publish`, { name: '1.0.0', hash }));
    expect(published).toMatchObject({ name: '1.0.0', hash });
    expect(expectOk(await admin.get(`/api/v2/edge/app/${appId}/version?untagged=false`))).toEqual([published]);
    for (const version of ['1.0.0', hash]) {
      const dl = await rawRequest(server.httpUrl, 'GET', `/api/v2/edge/app/${appId}/download?version=${version}`, auth());
      expect(dl.status).toBe(200);
      expect(dl.headers.get('content-type')).toMatch(/^text\/(x-lua|plain)/);
      expect(dl.bytes.equals(Buffer.from(lua))).toBe(true);
    }
    expect(expectOk(await admin.get(`/api/v2/edge/app/${appId}/configure?version=1.0.0`))).toEqual(appJson);
    expect((await admin.get(`/api/v2/edge/app/${appId}/download?version=9.9.9`)).status).toBe(404);
  });

  it('hides the app from another organization, which cannot read, download or configure it', async () => {
    const roles = await roleIds(admin);
    const other = expectOk(await admin.post<{ id: number }>('/api/v2/organization', { name: 'Other tenant', parent: rootOrg }));
    const stranger = await createLoggedInUser(admin, { email: 'stranger@example.com', role: roles['organization admin'], organisations: [other.id] });
    // The root organization is above Other tenant, but the app is hidden: only its publisher's subtree and those above see it.
    const sibling = expectOk(await admin.post<{ id: number }>('/api/v2/organization', { name: 'Publisher', parent: rootOrg }));
    const hidden = expectOk(await admin.post('/api/v2/edge/app', { name: 'Private', publisher: { id: sibling.id }, public: false }));
    expect((await stranger.client.get(`/api/v2/edge/app/${hidden.id}`)).status).toBe(404);
    expect((await stranger.client.get(`/api/v2/edge/app/${hidden.id}/download?version=x`)).status).toBe(404);
    expect(expectOk(await stranger.client.get('/api/v2/edge/app')).map((a: any) => a.id)).not.toContain(hidden.id);
    const theirs = await stranger.client.get(`/api/v2/edge/app/configured/${inst.id}`);
    expect(theirs.status).toBe(404);
  });
});

describe('configured instances', () => {
  let instanceId: number;

  it('creates an instance, announces it on <client_id>/evt/edge_app/updated, and validates version and config', async () => {
    const sub = await connectMqtt(server.mqttUrl, { username: 'apikey', password: apiKey, clientId: 'edge-watch' });
    clients.push(sub);
    const recorder = new TopicRecorder(sub);
    const topic = `${inst.client_id}/evt/edge_app/updated`;
    await sub.subscribeAsync(topic, { qos: 1 });

    const body = { app_id: appId, installation_id: inst.id, version: '1.0.0', config: { functions: [7] }, name: 'alarm' };
    const created = expectOk(await admin.post(`/api/v2/edge/app/configured/${inst.id}`, body));
    expect(created).toEqual({ id: expect.any(Number), ...body, created: expect.any(Number), updated: expect.any(Number) });
    instanceId = created.id;
    expect(await recorder.waitFor(topic)).toEqual(['{}']);

    const badVersion = await admin.post(`/api/v2/edge/app/configured/${inst.id}`, { ...body, version: '7.7.7' });
    expect(badVersion.status).toBe(400);
    expect(badVersion.body.message).toMatch(/version/);
    const badConfig = await admin.post(`/api/v2/edge/app/configured/${inst.id}`, { ...body, config: 'x' });
    expect(badConfig.status).toBe(400);
    expect(badConfig.body.message).toMatch(/config/);
    const missing = await admin.post(`/api/v2/edge/app/configured/${inst.id}`, { ...body, config: {} });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toMatch(/config\.functions/);

    const updated = expectOk(await admin.put(`/api/v2/edge/app/configured/${inst.id}/${instanceId}`, { ...created, config: { functions: [8] } }));
    expect(updated.config).toEqual({ functions: [8] });
    await eventually(async () => recorder.payloads(topic).length === 2);
    expect(expectOk(await admin.get(`/api/v2/edge/app/configured/${inst.id}`))).toEqual([updated]);
  });

  it('lets the gateway of an installation running the app list its instances and download the app', async () => {
    const gw = gatewayClient(server.httpUrl, await createGatewayCredentials(admin, inst.id));
    expect(expectOk(await gw.get(`/api/v2/edge/app/configured/${inst.id}`)).map((i: any) => i.id)).toEqual([instanceId]);
    const dl = await rawRequest(server.httpUrl, 'GET', `/api/v2/edge/app/${appId}/download?version=1.0.0`, gw.headers);
    expect(dl.status).toBe(200);
    expect(dl.bytes.equals(Buffer.from(lua))).toBe(true);
    // It may not change the catalogue or the instances.
    expect((await gw.put(`/api/v2/edge/app/${appId}`, { public: true })).status).toBe(403);
    expect((await gw.delete(`/api/v2/edge/app/configured/${inst.id}/${instanceId}`)).status).toBe(403);
  });

  it('keeps apps, versions and instances across a restart', async () => {
    expect(await server.stop('SIGTERM')).toBe(0);
    await start();
    expect(expectOk(await admin.get(`/api/v2/edge/app/${appId}`))).toMatchObject({ id: appId, name: 'Value alarm' });
    expect(expectOk(await admin.get(`/api/v2/edge/app/${appId}/version?untagged=true`))).toMatchObject([{ name: '1.0.0', hash }]);
    const dl = await rawRequest(server.httpUrl, 'GET', `/api/v2/edge/app/${appId}/download?version=1.0.0`, auth());
    expect(dl.bytes.equals(Buffer.from(lua))).toBe(true);
    expect(expectOk(await admin.get(`/api/v2/edge/app/configured/${inst.id}/${instanceId}`))).toMatchObject({ id: instanceId, config: { functions: [8] } });
    expect(expectOk(await admin.delete(`/api/v2/edge/app/configured/${inst.id}/${instanceId}`))).toEqual({ message: expect.any(String) });
    expect(expectOk(await admin.get(`/api/v2/edge/app/configured/${inst.id}`))).toEqual([]);
  });

  it('refuses a non-forced delete of an organization that publishes apps, naming them', async () => {
    const org = expectOk(await admin.post<{ id: number }>('/api/v2/organization', { name: 'Vendor', parent: rootOrg }));
    const app = expectOk(await admin.post('/api/v2/edge/app', { name: 'Vendor app', publisher: { id: org.id } }));
    const refused = await admin.delete(`/api/v2/organization/${org.id}`);
    expect(refused.status).toBe(400);
    expect(refused.body.message).toContain('"Vendor app"');
    expectOk(await admin.delete(`/api/v2/organization/${org.id}?force=true`));
    expect((await admin.get(`/api/v2/edge/app/${app.id}`)).status).toBe(404);
  });
});
