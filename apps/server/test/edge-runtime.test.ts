// The server-side edge-app runtime (spec 5) against the built server: apps uploaded and configured
// through the REST catalogue run in their own workers, act through MQTT and the lynx package, stay
// inside their installation, are stopped and reported when they loop or exhaust memory while the
// rest keeps working, follow function changes, and run again after a restart.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstallation, type InstallationRef } from './helpers/fixtures.js';
import { expectOk, LynxHttp } from './helpers/lynx-http.js';
import { connectMqtt, eventually, publishAsync } from './helpers/mqtt-client.js';
import { makeDataDir, removeDataDir, startServerProcess, type ServerProcess } from './helpers/server-process.js';
import { TopicRecorder } from './helpers/topic-recorder.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures/edge-apps');

interface Status {
  state: string;
  reason: string | null;
  restarts: number;
}

let dataDir: string;
let server: ServerProcess;
let admin: LynxHttp;
let token: string;
let a: InstallationRef;
let b: InstallationRef;
let mq: MqttClient;
let seen: TopicRecorder;

async function fixture(name: string): Promise<{ lua: string; json: string }> {
  return { lua: await readFile(join(fixtures, name, 'app.lua'), 'utf8'), json: await readFile(join(fixtures, name, 'app.json'), 'utf8') };
}

/** Creates a catalogue entry, uploads app.lua + app.json, configures it on an installation. */
async function deploy(installationId: number, name: string, source: { lua: string; json: string }, config: Record<string, unknown>): Promise<number> {
  const app = expectOk(await admin.post<{ id: number }>('/api/v2/edge/app', { name, short_description: name }));
  const form = new FormData();
  form.append('app_lua', new Blob([source.lua]), 'app.lua');
  form.append('app_json', new Blob([source.json]), 'app.json');
  const res = await fetch(`${server.httpUrl}/api/v2/edge/app/${app.id}/version`, { method: 'POST', headers: admin.headers, body: form });
  const version = (await res.json()) as { hash: string };
  expect(res.status).toBe(200);
  const instance = expectOk(
    await admin.post<{ id: number }>(`/api/v2/edge/app/configured/${installationId}`, { app_id: app.id, installation_id: installationId, version: version.hash, config, name }),
  );
  return instance.id;
}

const statusOf = async (installationId: number, id: number) => expectOk(await admin.get<Status>(`/api/v2/edge/app/configured/${installationId}/${id}/status`));
const waitState = (installationId: number, id: number, check: (s: Status) => boolean, timeoutMs = 20_000) =>
  eventually(async () => {
    const s = await statusOf(installationId, id);
    return check(s) && s;
  }, timeoutMs);
const values = (topic: string) => seen.payloads(topic).map((p) => JSON.parse(p) as { value: number });

async function connect(): Promise<void> {
  mq = await connectMqtt(server.mqttUrl, { username: 'apikey', password: token });
  seen = new TopicRecorder(mq);
  await mq.subscribeAsync([`${a.client_id}/#`, `${b.client_id}/#`], { qos: 0 });
}

let creatorId: number;
let tickerId: number;
let loopId: number;

beforeAll(async () => {
  dataDir = await makeDataDir();
  server = await startServerProcess({ dataDir });
  ({ client: admin, token } = await new LynxHttp(server.httpUrl).login(server.adminEmail, server.adminPassword));
  a = await createInstallation(admin, 'Edge A');
  b = await createInstallation(admin, 'Edge B');
  await connect();
});

afterAll(async () => {
  mq?.end(true);
  if (server) await server.stop('SIGTERM');
  if (dataDir) await removeDataDir(dataDir);
});

describe('edge-app runtime', () => {
  it('runs an app that creates its functions at start through lynx', async () => {
    creatorId = await deploy(a.id, 'function creator', await fixture('function-creator'), { names: ['alpha', 'beta'] });
    const ready = await seen.waitFor(`${a.client_id}/obj/edge/${creatorId}/ready`, 20_000);
    expect(JSON.parse(ready[0]!)).toEqual({ count: 2 });
    const fns = expectOk(await admin.get<{ meta: Record<string, string> }[]>(`/api/v2/functionx/${a.id}`));
    const mine = fns.filter((f) => f.meta.edge_app_instance === String(creatorId));
    expect(mine.map((f) => f.meta.name).sort()).toEqual(['alpha', 'beta']);
    expect(mine.map((f) => f.meta.topic_read).sort()).toEqual([`obj/edge/${creatorId}/alpha`, `obj/edge/${creatorId}/beta`]);
    expect(await statusOf(a.id, creatorId)).toMatchObject({ state: 'running', reason: null });
    const logs = expectOk(await admin.get<{ message: string }[]>(`/api/v2/edge/app/configured/${a.id}/${creatorId}/logs`));
    expect(logs.some((l) => /created function \d+ \(alpha\)/.test(l.message))).toBe(true);
  });

  it('reacts to values on a topic and follows function changes (evt/functionx/updated)', async () => {
    const fn = expectOk(await admin.post<{ id: number }>(`/api/v2/functionx/${a.id}`, { type: 'temperature', meta: { name: 't', topic_read: 'obj/sensor/t1' } }));
    const id = await deploy(a.id, 'threshold alert', await fixture('threshold-alert'), { function_id: fn.id, threshold: 20 });
    const watching = `${a.client_id}/obj/edge/alert/watching`;
    await eventually(async () => seen.payloads(watching).some((p) => JSON.parse(p).topic === 'obj/sensor/t1'), 20_000);
    const pub = await connectMqtt(server.mqttUrl, { username: 'apikey', password: token });
    const alerts = `${a.client_id}/obj/edge/alert/${fn.id}`;
    await publishAsync(pub, `${a.client_id}/obj/sensor/t1`, { value: 25, timestamp: 1 });
    await publishAsync(pub, `${a.client_id}/obj/sensor/t1`, { value: 10, timestamp: 2 });
    await publishAsync(pub, `${a.client_id}/obj/sensor/t1`, { value: 30, timestamp: 3 });
    await eventually(async () => seen.payloads(alerts).length >= 2);
    expect(values(alerts).map((v) => v.value)).toEqual([25, 30]);
    expect(JSON.parse(seen.payloads(alerts)[0]!)).toMatchObject({ threshold: 20, topic: 'obj/sensor/t1' });

    // The app re-reads `functions` when the function's topic changes, and moves its subscription.
    expectOk(await admin.put(`/api/v2/functionx/${a.id}/${fn.id}`, { type: 'temperature', meta: { name: 't', topic_read: 'obj/sensor/t2' } }));
    await eventually(async () => seen.payloads(watching).some((p) => JSON.parse(p).topic === 'obj/sensor/t2'));
    await publishAsync(pub, `${a.client_id}/obj/sensor/t1`, { value: 50, timestamp: 4 });
    await publishAsync(pub, `${a.client_id}/obj/sensor/t2`, { value: 40, timestamp: 5 });
    await eventually(async () => seen.payloads(alerts).length >= 3);
    expect(values(alerts).map((v) => v.value)).toEqual([25, 30, 40]);
    pub.end(true);
    expect((await statusOf(a.id, id)).state).toBe('running');
  });

  it('sends a notification through lynx.notify when an output is configured', async () => {
    const received: { message: string; payload: { value: number } }[] = [];
    const hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.end('{}');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    try {
      const inst = expectOk(await admin.get<{ organization_id: number }>(`/api/v2/installation/${a.id}`));
      const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
      const executor = expectOk(await admin.post<{ id: number }>('/api/v2/admin/notification/executor', { type: 'webhook', name: 'hook', organization_id: inst.organization_id, config: { url } }));
      const message = expectOk(await admin.post<{ id: number }>(`/api/v2/notification/${a.id}/message`, { name: 'hot', text: 'Too hot: {{.payload.value}}' }));
      const output = expectOk(
        await admin.post<{ id: number }>(`/api/v2/notification/${a.id}/output`, { name: 'hook', notification_output_executor_id: executor.id, notification_message_id: message.id, config: {} }),
      );
      const fn = expectOk(await admin.post<{ id: number }>(`/api/v2/functionx/${a.id}`, { type: 'temperature', meta: { name: 'n', topic_read: 'obj/sensor/n1' } }));
      await deploy(a.id, 'notifying alert', await fixture('threshold-alert'), { function_id: fn.id, threshold: 20, output_id: output.id });
      await eventually(async () => seen.payloads(`${a.client_id}/obj/edge/alert/watching`).some((p) => JSON.parse(p).topic === 'obj/sensor/n1'), 20_000);
      const pub = await connectMqtt(server.mqttUrl, { username: 'apikey', password: token });
      await publishAsync(pub, `${a.client_id}/obj/sensor/n1`, { value: 33, timestamp: 1 });
      pub.end(true);
      await eventually(async () => received.length > 0, 15_000);
      expect(received[0]).toMatchObject({ message: 'Too hot: 33', payload: { value: 33, topic: 'obj/sensor/n1' } });
      // With an output the app notifies instead of publishing a derived value.
      expect(seen.has(`${a.client_id}/obj/edge/alert/${fn.id}`)).toBe(false);
    } finally {
      hook.close();
    }
  });

  it('runs timers that publish periodically', async () => {
    tickerId = await deploy(b.id, 'ticker', await fixture('ticker'), { interval: 0.1, topic: 'obj/edge/tick' });
    const tick = `${b.client_id}/obj/edge/tick`;
    await eventually(async () => seen.payloads(tick).length >= 3, 20_000);
    expect(values(tick).slice(0, 3).map((v) => v.value)).toEqual([1, 2, 3]);
    await seen.waitFor(`${tick}/late`);
    // Ticker values are stored as the installation's own data (server publishes reach storage).
    await eventually(async () => expectOk(await admin.get<{ value: number }[]>(`/api/v2/status/${b.id}?topics=obj/edge/tick`))[0]?.value >= 3);
  });

  it('keeps an app inside its installation', async () => {
    const foreign = expectOk(await admin.post<{ id: number }>(`/api/v2/functionx/${b.id}`, { type: 'switch', meta: { name: 'other tenant' } }));
    const probe = {
      lua: `function onStart()
        local _, delErr = lynx.deleteFunction(cfg.foreign)
        local _, updErr = lynx.updateFunction({ id = cfg.foreign, type = 'x', meta = {} })
        local mine = lynx.getFunctions()
        local _, apiErr = lynx.apiCall('GET', '/api/v2/functionx/' .. cfg.other_installation)
        mq:pub('obj/edge/probe', json:encode({ del = delErr.message, upd = updErr.message, count = #mine, api = apiErr.message }))
      end`,
      json: '{"input": {}}',
    };
    await deploy(a.id, 'probe', probe, { foreign: foreign.id, other_installation: b.id });
    const [raw] = await seen.waitFor(`${a.client_id}/obj/edge/probe`, 20_000);
    const report = JSON.parse(raw!);
    expect(report.del).toMatch(/not found/);
    expect(report.upd).toMatch(/not found/);
    expect(report.api).toMatch(/not supported/);
    expect(report.count).toBe(expectOk(await admin.get<unknown[]>(`/api/v2/functionx/${a.id}`)).length);
    expect((await admin.get(`/api/v2/functionx/${b.id}/${foreign.id}`)).status).toBe(200);
    expect(seen.has(`${b.client_id}/obj/edge/probe`)).toBe(false);
  });

  it('stops and reports a looping app and a memory hog while other apps and the server keep working', async () => {
    const loop = (loopId = await deploy(a.id, 'loop', { lua: 'function onStart() while true do end end', json: '{"input": {}}' }, {}));
    const hog = await deploy(a.id, 'hog', { lua: 'local t = {} for i = 1, 1e9 do t[i] = string.rep("x", 1024 * 1024) .. i end', json: '{"input": {}}' }, {});
    const looped = await waitState(a.id, loop, (s) => s.state !== 'running' && s.state !== 'starting' && s.reason !== null);
    expect(looped.reason).toMatch(/CPU time limit/);
    const hogged = await waitState(a.id, hog, (s) => s.state !== 'running' && s.state !== 'starting' && s.reason !== null);
    expect(hogged.reason).toMatch(/memory/);
    const logs = expectOk(await admin.get<{ level: string; message: string }[]>(`/api/v2/edge/app/configured/${a.id}/${loop}/logs`));
    expect(logs.some((l) => l.level === 'error' && /crashed: .*CPU time limit/.test(l.message))).toBe(true);
    // tRPC reads the same state.
    const input = encodeURIComponent(JSON.stringify({ installationId: a.id, instanceId: hog }));
    const viaTrpc = expectOk(await admin.get<{ result: { data: Status } }>(`/trpc/edgeApps.instanceStatus?input=${input}`));
    expect(viaTrpc.result.data.reason).toMatch(/memory/);

    expect(expectOk(await admin.get('/api/v2/ping'))).toEqual({ message: 'pong' });
    const tick = `${b.client_id}/obj/edge/tick`;
    const before = seen.payloads(tick).length;
    await eventually(async () => seen.payloads(tick).length > before + 2);
    expect(await statusOf(b.id, tickerId)).toMatchObject({ state: 'running', restarts: 0 });
    expect(await statusOf(a.id, creatorId)).toMatchObject({ state: 'running' });
  });

  it('answers 404 for instances of other installations and 400 for bad ids', async () => {
    expect((await admin.get(`/api/v2/edge/app/configured/${b.id}/${creatorId}/status`)).status).toBe(404);
    expect((await admin.get(`/api/v2/edge/app/configured/${a.id}/abc/logs`)).status).toBe(400);
  });

  it('runs every instance again after a restart, without creating functions twice', async () => {
    mq.end(true);
    expect(await server.stop('SIGTERM')).toBe(0);
    server = await startServerProcess({ dataDir });
    admin = new LynxHttp(server.httpUrl).withKey(token);
    await connect();
    const tick = `${b.client_id}/obj/edge/tick`;
    await eventually(async () => seen.payloads(tick).length >= 2, 20_000);
    const ticks = values(tick).map((v) => v.value);
    expect(ticks[1]).toBe(ticks[0]! + 1);
    await waitState(a.id, creatorId, (s) => s.state === 'running');
    const fns = expectOk(await admin.get<{ meta: Record<string, string> }[]>(`/api/v2/functionx/${a.id}`));
    expect(fns.filter((f) => f.meta.edge_app_instance === String(creatorId))).toHaveLength(2);
    // The looping app is tried again after a restart and stopped again.
    const again = await waitState(a.id, loopId, (s) => s.reason !== null && /CPU time limit/.test(s.reason));
    expect(again.state).not.toBe('running');
  });

  it('runs onDestroy when an instance is deleted', async () => {
    expectOk(await admin.delete(`/api/v2/edge/app/configured/${a.id}/${creatorId}`));
    await eventually(async () => {
      const fns = expectOk(await admin.get<{ meta: Record<string, string> }[]>(`/api/v2/functionx/${a.id}`));
      return !fns.some((f) => f.meta.edge_app_instance === String(creatorId));
    }, 20_000);
  });
});
