// The server-side edge-app runtime (spec 5) against the built server: apps uploaded and configured
// through the REST catalogue run in their own workers, act through MQTT and the lynx package, stay
// inside their installation, are stopped and reported when they loop or exhaust memory while the
// rest keeps working, follow function changes, call the REST API and HTTP services, stop with their
// installation or organization, honour the configured limits, and run again after a restart.
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
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

/** Creates a catalogue entry (published by `publisher`, default the admin's organization) and uploads app.lua + app.json. */
async function createApp(name: string, source: { lua: string; json: string }, publisher?: number): Promise<{ id: number; hash: string }> {
  const app = expectOk(await admin.post<{ id: number }>('/api/v2/edge/app', { name, short_description: name, ...(publisher && { publisher: { id: publisher } }) }));
  const form = new FormData();
  form.append('app_lua', new Blob([source.lua]), 'app.lua');
  form.append('app_json', new Blob([source.json]), 'app.json');
  const res = await fetch(`${server.httpUrl}/api/v2/edge/app/${app.id}/version`, { method: 'POST', headers: admin.headers, body: form });
  const version = (await res.json()) as { hash: string };
  expect(res.status).toBe(200);
  return { id: app.id, hash: version.hash };
}

async function configure(installationId: number, app: { id: number; hash: string }, name: string, config: Record<string, unknown>): Promise<number> {
  const body = { app_id: app.id, installation_id: installationId, version: app.hash, config, name };
  return expectOk(await admin.post<{ id: number }>(`/api/v2/edge/app/configured/${installationId}`, body)).id;
}

/** Creates a catalogue entry, uploads app.lua + app.json, configures it on an installation. */
async function deploy(installationId: number, name: string, source: { lua: string; json: string }, config: Record<string, unknown>): Promise<number> {
  return configure(installationId, await createApp(name, source), name, config);
}

interface HookRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A local HTTP service for apps to call: records requests; `/slow` answers after `slowMs`. */
async function startHook(slowMs = 0): Promise<{ server: Server; url: string; requests: HookRequest[] }> {
  const requests: HookRequest[] = [];
  const hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      requests.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const answer = () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true, url: req.url }));
      };
      if (req.url?.startsWith('/slow')) setTimeout(answer, slowMs);
      else answer();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  return { server: hook, url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}`, requests };
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
        local _, apiErr = lynx.apiCall('GET', '/api/v2/functionx/' .. cfg.other_installation .. '/' .. cfg.foreign)
        mq:pub('obj/edge/probe', json:encode({ del = delErr.message, upd = updErr.message, count = #mine, api = apiErr.message }))
      end`,
      json: '{"input": {}}',
    };
    await deploy(a.id, 'probe', probe, { foreign: foreign.id, other_installation: b.id });
    const [raw] = await seen.waitFor(`${a.client_id}/obj/edge/probe`, 20_000);
    const report = JSON.parse(raw!);
    expect(report.del).toMatch(/not found/);
    expect(report.upd).toMatch(/not found/);
    expect(report.api).toMatch(/not found/);
    expect(report.count).toBe(expectOk(await admin.get<unknown[]>(`/api/v2/functionx/${a.id}`)).length);
    expect((await admin.get(`/api/v2/functionx/${b.id}/${foreign.id}`)).status).toBe(200);
    expect(seen.has(`${b.client_id}/obj/edge/probe`)).toBe(false);
  });

  it('calls the REST API as its gateway, HTTP services through http.request and basexx, and a broker through ev.mqtt', async () => {
    const hook = await startHook();
    try {
      const id = await deploy(a.id, 'api client', await fixture('api-client'), {
        url: hook.url,
        secret: 's3cret',
        api_key: token,
        other_installation: b.id,
        other_client_id: b.client_id,
      });
      const [raw] = await seen.waitFor(`${a.client_id}/obj/edge/api/report`, 20_000);
      const r = JSON.parse(raw!);
      // iotopen.json: this server's addresses, no gateway secret.
      expect(r.env).toEqual({ client_id: a.client_id, installation_id: a.id, api: server.httpUrl, aam: server.httpUrl, mqtt_broker: server.mqttUrl.replace('mqtt://', '') });
      expect(r.functions).toBe(expectOk(await admin.get<unknown[]>(`/api/v2/functionx/${a.id}`)).length);
      expect(r.device).toMatchObject({ type: 'edge-probe', installation_id: a.id, meta: { name: `made by ${id}` } });
      expect(JSON.parse(r.raw)).toMatchObject({ id: r.device.id, type: 'edge-probe' });
      expect(expectOk(await admin.get(`/api/v2/devicex/${a.id}/${r.device.id}`))).toMatchObject({ type: 'edge-probe' });
      expect(r.installation).toBe(a.id);
      // Another installation is out of reach through the REST API too, and nothing was created there.
      expect(r.foreign).toMatch(/not found/);
      expect(r.foreignPost).toMatch(/not found/);
      expect(expectOk(await admin.get<{ type: string }[]>(`/api/v2/devicex/${b.id}`)).some((d) => d.type === 'intruder')).toBe(false);
      expect(r.outside).toMatch(/Lynx API only/);
      expect(r.bad).toEqual(expect.any(String));
      expect(r.bad).not.toMatch(/Internal Server Error/);
      expect(r.hook).toEqual({ status: '200', body: { ok: true, url: '/hook' } });
      expect(hook.requests[0]).toMatchObject({
        method: 'POST',
        url: '/hook',
        headers: { authorization: `Basic ${Buffer.from('api-key:s3cret').toString('base64')}`, 'content-type': 'application/json' },
      });
      expect(JSON.parse(hook.requests[0]!.body)).toEqual({ from: id, functions: r.functions });
      // This server's own API over HTTP with a key from the config, as EA-share-data does.
      expect(r.own).toMatchObject({ status: '200', body: { id: a.id, client_id: a.client_id } });
      // ...and its broker with ev.mqtt (TLS asked for, as on the platform; this listener is plain).
      expect(r.mqtt).toBe('connected');
      const [shared] = await seen.waitFor(`${b.client_id}/obj/edge/shared`);
      expect(JSON.parse(shared!)).toEqual({ value: id });
      expect(await statusOf(a.id, id)).toMatchObject({ state: 'running', restarts: 0 });
    } finally {
      hook.server.close();
    }
  });

  it('refuses an apiCall credential sent from the network', async () => {
    // The in-process channel's header means nothing on a real request: it stays unauthenticated.
    const res = await fetch(`${server.httpUrl}/api/v2/functionx/${a.id}`, { headers: { 'x-lynx-internal-call': 'guess' } });
    expect(res.status).toBe(401);
  });

  it('stops and reports a looping app and a memory hog while other apps and the server keep working', async () => {
    const loop = (loopId = await deploy(a.id, 'loop', { lua: 'function onStart() while true do end end', json: '{"input": {}}' }, {}));
    // One allocation over the 32 MB cap: fails at once, however busy the machine (a growing loop
    // could first be stopped by the time limit when the workers get little CPU).
    const hog = await deploy(a.id, 'hog', { lua: 'local t = {} for i = 1, 4 do t[i] = string.rep("x", 48 * 1024 * 1024) .. i end', json: '{"input": {}}' }, {});
    const looped = await waitState(a.id, loop, (s) => s.state !== 'running' && s.state !== 'starting' && s.reason !== null);
    expect(looped.reason).toMatch(/CPU time limit/);
    const hogged = await waitState(a.id, hog, (s) => s.state !== 'running' && s.state !== 'starting' && s.reason !== null);
    expect(hogged.reason).toMatch(/memory/);
    const logs = expectOk(await admin.get<{ level: string; message: string }[]>(`/api/v2/edge/app/configured/${a.id}/${loop}/logs`));
    expect(logs.some((l) => l.level === 'error' && /crashed: .*CPU time limit/.test(l.message))).toBe(true);
    // tRPC reads the same state. The hog is restarted with backoff (reason cleared while it starts
    // again), so wait for a crashed or stopped reading rather than taking the first one.
    const input = encodeURIComponent(JSON.stringify({ installationId: a.id, instanceId: hog }));
    const viaTrpc = await eventually(async () => {
      const s = expectOk(await admin.get<{ result: { data: Status } }>(`/trpc/edgeApps.instanceStatus?input=${input}`)).result.data;
      return s.state !== 'running' && s.state !== 'starting' && s.reason !== null && s;
    }, 20_000);
    expect(viaTrpc.reason).toMatch(/memory/);

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

  it('stops the instances of a force-deleted organization, and destroys those of the apps it published elsewhere', async () => {
    const hook = await startHook();
    try {
      const rootOrg = expectOk(await admin.get<{ organisations: number[] }>('/api/v2/user/me')).organisations[0];
      const vendor = expectOk(await admin.post<{ id: number }>('/api/v2/organization', { name: 'Vendor', parent: rootOrg }));
      const site = await createInstallation(admin, 'Vendor site', { organization_id: vendor.id });
      const site2 = await createInstallation(admin, 'Vendor site 2', { organization_id: vendor.id });
      const lua = `local request = require('http.request')
        local function report(what) request.new_from_uri(cfg.url .. '/' .. what .. '/' .. app.id):go(5) end
        function onStart() report('start') end
        function onExit() report('exit') end
        function onDestroy() report('destroy') end`;
      const vendorApp = await createApp('vendor app', { lua, json: '{"input": {}}' }, vendor.id);
      const onSite = await configure(site.id, vendorApp, 'on the vendor site', { url: hook.url });
      const onSite2 = await configure(site2.id, vendorApp, 'on the second vendor site', { url: hook.url });
      const elsewhere = await configure(a.id, vendorApp, 'on site A', { url: hook.url });
      await eventually(async () => hook.requests.filter((r) => r.url.startsWith('/start/')).length === 3, 20_000);
      expectOk(await admin.delete(`/api/v2/organization/${vendor.id}?force=true`));
      // Its installations' instances are asked to exit; the instance of its app on site A was
      // deleted by the cascade and cleans up (onDestroy).
      const got = (url: string) => hook.requests.some((r) => r.url === url);
      await eventually(async () => got(`/exit/${onSite}`) && got(`/exit/${onSite2}`) && got(`/destroy/${elsewhere}`), 20_000);
      expect(got(`/destroy/${onSite}`) || got(`/destroy/${onSite2}`)).toBe(false);
      expect((await admin.get(`/api/v2/edge/app/configured/${a.id}/${elsewhere}/status`)).status).toBe(404);
    } finally {
      hook.server.close();
    }
  });
});

describe('edge-app runtime limits from the configuration', () => {
  let main: { server: ServerProcess; admin: LynxHttp };
  let limitedDir: string;

  beforeAll(async () => {
    main = { server, admin };
    limitedDir = await makeDataDir();
    server = await startServerProcess({ dataDir: limitedDir, env: { LYNX_EDGE_CALLBACK_TIMEOUT_MS: '400', LYNX_EDGE_MEMORY_MB: '4', LYNX_EDGE_MAX_INSTANCES: '3' } });
    ({ client: admin } = await new LynxHttp(server.httpUrl).login(server.adminEmail, server.adminPassword));
  });

  afterAll(async () => {
    const limited = server;
    ({ server, admin } = main);
    if (limited && limited !== server) await limited.stop('SIGTERM');
    if (limitedDir) await removeDataDir(limitedDir);
  });

  it('stops a busy callback at the CPU time limit but not one waiting on slow replies, and caps Lua memory and instances', async () => {
    const hook = await startHook(1200);
    try {
      const inst = await createInstallation(admin, 'Limited');
      const noInput = '{"input": {}}';
      // Blocked on two replies of 1.2 s each, well over the 400 ms limit, using little CPU.
      const waiter = await deploy(
        inst.id,
        'waiter',
        {
          lua: `local request = require('http.request')
            function onStart()
              local h1 = request.new_from_uri(cfg.url .. '/slow/1'):go(10)
              local h2 = request.new_from_uri(cfg.url .. '/slow/2'):go(10)
              request.new_from_uri(cfg.url .. '/done/' .. h1:get(':status') .. '/' .. h2:get(':status')):go(5)
            end`,
          json: noInput,
        },
        { url: hook.url },
      );
      const busy = await deploy(inst.id, 'busy', { lua: 'function onStart() local x = 0 while true do x = x + 1 end end', json: noInput }, {});
      // One 6 MB string: fine under the default 32 MB, over the configured 4 MB.
      const hog = await deploy(inst.id, 'hog', { lua: `big = string.rep('x', 6 * 1024 * 1024)`, json: noInput }, {});
      const extra = await deploy(inst.id, 'extra', { lua: 'function onStart() end', json: noInput }, {});

      await eventually(async () => hook.requests.some((r) => r.url === '/done/200/200'), 20_000);
      // onStart sent its last request and returns: the instance runs, never stopped by the limit.
      expect(await waitState(inst.id, waiter, (s) => s.state !== 'starting')).toMatchObject({ state: 'running', reason: null, restarts: 0 });
      const busyStatus = await waitState(inst.id, busy, (s) => s.reason !== null && s.state !== 'running');
      expect(busyStatus.reason).toMatch(/400 ms of CPU time \(CPU time limit\)/);
      const hogStatus = await waitState(inst.id, hog, (s) => s.reason !== null && s.state !== 'running');
      expect(hogStatus.reason).toMatch(/memory/);
      expect(await statusOf(inst.id, extra)).toMatchObject({ state: 'stopped', reason: expect.stringMatching(/at most 3 edge-app instances/) });
    } finally {
      hook.server.close();
    }
  });
});
