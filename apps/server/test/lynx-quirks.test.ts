// The rules of spec 2.0 and every client quirk of appendix A, against the running server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstallation, type InstallationRef } from './helpers/fixtures.js';
import { expectOk, LynxHttp } from './helpers/lynx-http.js';
import { connectMqtt, eventually, publishAsync } from './helpers/mqtt-client.js';
import { removeDataDir, startServerProcess, type ServerProcess } from './helpers/server-process.js';

let server: ServerProcess;
let anon: LynxHttp;
let admin: LynxHttp;
let token: string;
let inst: InstallationRef;

beforeAll(async () => {
  server = await startServerProcess();
  anon = new LynxHttp(server.httpUrl);
  ({ client: admin, token } = await anon.login(server.adminEmail, server.adminPassword));
  inst = await createInstallation(admin, 'Quirks');
});

afterAll(async () => {
  await server?.stop();
  await removeDataDir(server.dataDir);
});

describe('authentication schemes (spec 3.1)', () => {
  it('accepts X-API-Key, Bearer, Basic with a token under any user name, and Basic e-mail:password', async () => {
    const variants: Record<string, string>[] = [
      { 'X-API-Key': token },
      { Authorization: `Bearer ${token}` },
      { Authorization: LynxHttp.basic('token', token) },
      { Authorization: LynxHttp.basic('monitoring', token) },
      { Authorization: LynxHttp.basic(server.adminEmail, server.adminPassword) },
    ];
    for (const headers of variants) {
      const me = await anon.get('/api/v2/user/me', headers);
      expect(me.status, JSON.stringify(headers)).toBe(200);
      expect(me.body.email).toBe(server.adminEmail);
    }
  });

  it('answers 401 {message} for missing or bad credentials', async () => {
    for (const headers of [{}, { 'X-API-Key': 'nope' }, { Authorization: 'Bearer nope' }, { Authorization: LynxHttp.basic(server.adminEmail, 'wrong') }] as Record<string, string>[]) {
      const res = await anon.get('/api/v2/user/me', headers);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ message: 'Unauthorized' });
    }
    const login = await anon.post('/api/v2/auth', undefined, { Authorization: LynxHttp.basic(server.adminEmail, 'wrong') });
    expect(login.status).toBe(401);
  });

  it('logs out by revoking the calling token', async () => {
    const { client } = await anon.login(server.adminEmail, server.adminPassword);
    expect((await client.delete('/api/v2/auth')).status).toBe(200);
    expect((await client.get('/api/v2/user/me')).status).toBe(401);
  });
});

describe('appendix A', () => {
  it('tolerates the double slash of go-lynx ping', async () => {
    expect((await anon.get('//api/v2/ping')).status).toBe(200);
    expect((await anon.get('/api/v2/ping')).status).toBe(200);
  });

  it('parses JSON bodies with no, wrong or text/plain Content-Type', async () => {
    const body = JSON.stringify({ type: 'virtual', installation_id: inst.id, meta: { name: 'Dev', 'example.type': 'go-lynx' } });
    for (const headers of [{}, { 'Content-Type': 'text/plain;charset=UTF-8' }, { 'Content-Type': 'application/x-www-form-urlencoded' }, { 'Content-Type': 'application/json' }] as Record<string, string>[]) {
      const res = await admin.post(`/api/v2/devicex/${inst.id}`, body, headers);
      expect(res.status, JSON.stringify(headers)).toBe(200);
      expect(res.body.meta.name).toBe('Dev');
    }
  });

  it('answers invalid JSON with 400 {message}', async () => {
    const res = await admin.post(`/api/v2/devicex/${inst.id}`, '{"type":', { 'Content-Type': 'application/json' });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/JSON/);
  });

  it('accepts go-lynx MetaObject casing and answers lower case; decodes keys', async () => {
    const fn = expectOk(await admin.post(`/api/v2/functionx/${inst.id}?silent=true`, { type: 'temperature', installation_id: inst.id, meta: { name: 'T', topic_read: 'obj/example/temperature' } }));
    const put = await admin.put(`/api/v2/functionx/${inst.id}/${fn.id}/meta/unit?silent=false&create_missing=true`, { Value: '°C', Protected: false });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ value: '°C', protected: false });
    expect(expectOk(await admin.get(`/api/v2/functionx/${inst.id}/${fn.id}/meta/unit`))).toEqual({ value: '°C', protected: false });
    expectOk(await admin.put(`/api/v2/functionx/${inst.id}/${fn.id}/meta/${encodeURIComponent('a/b.c')}?create_missing=true`, { value: 'x' }));
    expect(expectOk(await admin.get(`/api/v2/functionx/${inst.id}/${fn.id}`)).meta['a/b.c']).toBe('x');
  });

  it('filters lists by meta and type, ignoring empty values (Grafana sends type=)', async () => {
    expectOk(await admin.post(`/api/v2/functionx/${inst.id}`, { type: 'switch', installation_id: inst.id, meta: { name: 'S', device_id: '5' } }));
    const byType = expectOk(await admin.get<any[]>(`/api/v2/functionx/${inst.id}?type=switch&device_id=5`));
    expect(byType.map((f) => f.meta.name)).toEqual(['S']);
    const emptyType = expectOk(await admin.get<any[]>(`/api/v2/functionx/${inst.id}?type=`));
    expect(emptyType.length).toBeGreaterThanOrEqual(2);
    const byMeta = expectOk(await admin.get<any[]>(`/api/v2/devicex/${inst.id}?example.type=go-lynx`));
    expect(byMeta.length).toBe(4);
  });

  it('answers 404 {message} for the Grafana devicexx typo, as Lynx does', async () => {
    const res = await admin.get(`/api/v2/devicexx/${inst.id}`);
    expect(res.status).toBe(404);
    expect(typeof res.body.message).toBe('string');
  });

  it('reads unencoded and comma-joined topic lists', async () => {
    const device = await connectMqtt(server.mqttUrl, { username: 'node-red', password: token });
    await publishAsync(device, `${inst.client_id}/obj/a b`, { value: 1 }, 1);
    await publishAsync(device, `${inst.client_id}/obj/c`, { value: 2 }, 1);
    device.end(true);
    const raw = await fetch(`${server.httpUrl}/api/v2/status/${inst.id}?topics=obj/c&topics=obj/a%20b`, { headers: { 'X-API-Key': token } }).then((r) => r.json());
    expect(raw).toHaveLength(2);
    const comma = expectOk(await admin.get<any[]>(`/api/v2/status/${inst.id}?topics=obj/c,obj/a%20b`));
    expect(comma).toHaveLength(2);
  });

  it('answers 414 for an over-long topic list and the POST fallback works', async () => {
    const topics = Array.from({ length: 400 }, (_, i) => `obj/some/long/topic/name/${i}`);
    const long = await admin.get(`/api/v2/status/${inst.id}?${topics.map((t) => `topics=${t}`).join('&')}`);
    expect(long.status).toBe(414);
    expect(typeof long.body.message).toBe('string');
    expect((await admin.post(`/api/v2/status/${inst.id}`, topics)).status).toBe(200);
    expect((await admin.get(`/api/v3beta/log/${inst.id}?${topics.map((t) => `topics=${t}`).join('&')}`)).status).toBe(414);
    const viaPost = await admin.post(`/api/v3beta/log/${inst.id}`, topics);
    expect(viaPost.status).toBe(200);
    expect(viaPost.body).toMatchObject({ total: 0, count: 0, data: [] });
  });

  it('answers 200 with {message} on delete', async () => {
    const dev = expectOk(await admin.post(`/api/v2/devicex/${inst.id}`, { type: 'virtual', meta: {} }));
    const res = await admin.delete(`/api/v2/devicex/${inst.id}/${dev.id}`);
    expect(res.status).toBe(200);
    expect(typeof res.body.message).toBe('string');
  });

  it('accepts a raw-string publish (Home Assistant) without storing it or dropping the client', async () => {
    const c = await connectMqtt(server.mqttUrl, { username: 'ha', password: token });
    await publishAsync(c, `${inst.client_id}/set/obj/light`, 'ON', 1);
    await publishAsync(c, `${inst.client_id}/set/obj/light`, { value: 1 }, 1);
    c.end(true);
    expect(expectOk(await admin.get<any[]>(`/api/v2/status/${inst.id}?topics=set/obj/light`))[0].value).toBe(1);
  });
});

describe('events (spec 4.5)', () => {
  it('publishes evt/<kind>/updated with {} unless silent=true', async () => {
    const sub = await connectMqtt(server.mqttUrl, { username: 'apikey', password: token });
    const seen: { topic: string; payload: string }[] = [];
    sub.on('message', (topic, payload) => seen.push({ topic, payload: payload.toString() }));
    await sub.subscribeAsync(`${inst.client_id}/evt/#`, { qos: 1 });
    const fn = expectOk(await admin.post(`/api/v2/functionx/${inst.id}?silent=true`, { type: 'x', meta: {} }));
    expectOk(await admin.post(`/api/v2/devicex/${inst.id}`, { type: 'x', meta: {} }));
    await eventually(async () => seen.some((s) => s.topic === `${inst.client_id}/evt/devicex/updated`));
    expect(seen.find((s) => s.topic.endsWith('evt/devicex/updated'))!.payload).toBe('{}');
    expect(seen.some((s) => s.topic.endsWith('evt/functionx/updated'))).toBe(false);
    expectOk(await admin.put(`/api/v2/functionx/${inst.id}/${fn.id}`, { ...fn, meta: { name: 'renamed' } }));
    await eventually(async () => seen.some((s) => s.topic === `${inst.client_id}/evt/functionx/updated`));
    sub.end(true);
  });
});

describe('MQTT over WebSocket at /mqtt on the HTTP port', () => {
  it('carries publishes like TCP does', async () => {
    const ws = await connectMqtt(server.wsUrl, { username: 'apikey', password: token });
    await publishAsync(ws, `${inst.client_id}/obj/ws`, { value: 42, timestamp: 1_700_000_000 }, 1);
    ws.end(true);
    expect(expectOk(await admin.get<any[]>(`/api/v2/status/${inst.id}?topics=obj/ws`))[0].value).toBe(42);
  });
});

describe('OpenAPI', () => {
  it('serves a document listing the core endpoints', async () => {
    const doc = expectOk(await anon.get('/docs/json'));
    for (const path of ['/api/v2/ping', '/api/v2/status/{installationId}', '/api/v3beta/log/{installationId}', '/api/v2/installationinfo', '/api/v2/functionx/{installationId}']) {
      expect(Object.keys(doc.paths), path).toContain(path);
    }
  });
});
