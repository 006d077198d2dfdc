// Cluster mode end to end: three real server processes sharing PostgreSQL and Redis (the machine's
// services; a database and a Redis prefix of their own per run). Node 3 reaches Redis through a
// proxy the test can cut. Runs once (cluster project), not per database provider.
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probePostgres } from '../src/aam/store/test-helpers.js';
import { createClusterEnv, probeRedis, startCuttableProxy, startNode, stopNode, testRedisUrl, type ClusterEnv, type CuttableProxy } from './helpers/cluster.js';
import { createInstallation, type InstallationRef } from './helpers/fixtures.js';
import { expectOk, LynxHttp } from './helpers/lynx-http.js';
import { connackCode, connectMqtt, eventually } from './helpers/mqtt-client.js';
import { rawRequest, sendMultipart } from './helpers/multipart.js';
import { runCli, type ServerProcess } from './helpers/server-process.js';
import { randomBytes } from 'node:crypto';
import net from 'node:net';

const unavailable = (await probeRedis()) ?? (await probePostgres());
if (unavailable && process.env.CI) throw new Error(`cluster tests need Redis (${testRedisUrl}) and PostgreSQL: ${unavailable}`);
if (unavailable) console.warn(`cluster tests skipped: Redis at ${testRedisUrl} or PostgreSQL unreachable (${unavailable}); set LYNX_TEST_REDIS_URL / LYNX_TEST_POSTGRES_URL`);

describe('cluster start-up errors', () => {
  it('refuses cluster mode on SQLite with one line and exit code 2', async () => {
    const { code, stderr } = await runCli(['--cluster', '--redis-url', 'redis://127.0.0.1:6379'], { LYNX_DATABASE_URL: '', LYNX_CLUSTER: '' });
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/^lynx-server: invalid configuration: databaseUrl .*cluster mode needs a shared PostgreSQL database/)]);
  });

  it('stops with one line and exit code 1 when Redis cannot be reached, before touching the database', async () => {
    // A port that was just free: nothing listens there.
    const free = net.createServer();
    const port = await new Promise<number>((resolve) => free.listen(0, '127.0.0.1', () => resolve((free.address() as net.AddressInfo).port)));
    await new Promise((resolve) => free.close(resolve));
    const { code, stderr } = await runCli(['--cluster', '--http-port', '0', '--mqtt-port', '0', '--data-dir', '/nonexistent/lynx-cluster-test'], {
      LYNX_DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none',
      LYNX_REDIS_URL: `redis://127.0.0.1:${port}/0`,
    });
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([`lynx-server: cannot reach Redis at redis://127.0.0.1:${port}/0: connect ECONNREFUSED 127.0.0.1:${port} (check redisUrl / LYNX_REDIS_URL)`]);
  });
});

describe.skipIf(!!unavailable)('cluster of three nodes', () => {
  let env: ClusterEnv;
  let proxy: CuttableProxy;
  const nodes: ServerProcess[] = [];
  const rest: LynxHttp[] = [];
  let token: string;
  let inst: InstallationRef;
  const clients: MqttClient[] = [];
  const mqttOpts = () => ({ username: 'apikey', password: token });
  const topic = (rel: string) => `${inst.client_id}/${rel}`;

  beforeAll(async () => {
    env = await createClusterEnv();
    const redis = new URL(env.redisUrl);
    proxy = await startCuttableProxy(redis.hostname, Number(redis.port || 6379));
    // Node 1 alone first: it migrates the database and creates the admin the others then find.
    nodes.push(await startNode(env, 'node-1'));
    const viaProxy = new URL(env.redisUrl);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    nodes.push(...(await Promise.all([startNode(env, 'node-2'), startNode(env, 'node-3', { redisUrl: viaProxy.toString() })])));
    const anon = nodes.map((n) => new LynxHttp(n.httpUrl));
    ({ token } = await anon[0].login(nodes[0].adminEmail, nodes[0].adminPassword));
    rest.push(...anon.map((a) => a.withKey(token)));
    // Created on node 1: nodes 2 and 3 learn of it through the cluster's messages, not a restart.
    inst = await createInstallation(rest[0], 'cluster');
  });

  afterAll(async () => {
    for (const c of clients) c.end(true);
    await Promise.allSettled(nodes.map((n) => stopNode(n)));
    await proxy?.close();
    await env?.cleanup();
  });

  it('reports readiness with the node id and both checks', async () => {
    const reply = await rest[1].get('/api/v2/ready');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ ready: true, node: 'node-2', checks: { redis: 'ok', database: 'ok' } });
  });

  it('routes a message published on node 1 to a subscriber on node 2, and node 3 answers it over REST', async () => {
    const sub = await connectMqtt(nodes[1].mqttUrl, mqttOpts());
    clients.push(sub);
    const received: string[] = [];
    sub.on('message', (_t, payload) => received.push(payload.toString()));
    await sub.subscribeAsync(topic('obj/cluster/#'), { qos: 1 });
    const pub = await connectMqtt(nodes[0].mqttUrl, mqttOpts());
    clients.push(pub);
    await pub.publishAsync(topic('obj/cluster/temperature'), JSON.stringify({ value: 21.5, msg: 'from node 1' }), { qos: 1 });
    await eventually(async () => received.length === 1);
    expect(JSON.parse(received[0])).toMatchObject({ value: 21.5 });
    const status = await eventually(async () => {
      const rows = expectOk(await rest[2].get<{ topic: string; value: number; msg: string }[]>(`/api/v2/status/${inst.id}?topics=obj/cluster/temperature`));
      return rows.length ? rows : null;
    });
    expect(status[0]).toMatchObject({ value: 21.5, msg: 'from node 1' });
  });

  it('shares retained messages: a WebSocket subscriber on node 3 gets what node 1 retained', async () => {
    const pub = await connectMqtt(nodes[0].mqttUrl, mqttOpts());
    clients.push(pub);
    await pub.publishAsync(topic('obj/retained/setpoint'), JSON.stringify({ value: 19 }), { qos: 1, retain: true });
    const ws = await connectMqtt(nodes[2].wsUrl, mqttOpts());
    clients.push(ws);
    const received: string[] = [];
    ws.on('message', (t, payload, packet) => packet.retain && received.push(`${t} ${payload}`));
    await ws.subscribeAsync(topic('obj/retained/#'), { qos: 1 });
    await eventually(async () => received.length === 1);
    expect(received[0]).toBe(`${topic('obj/retained/setpoint')} {"value":19}`);
  });

  it('hands messages published on a node without the edge-apps lease to the owner\'s edge app once, stored once', async () => {
    // Republishes what it gets; logs once at start, and logs are kept on the owner only.
    const lua = `function onStart()
  log.i('echo started')
  mq:sub('obj/edge-in/#')
  mq:bind('obj/edge-in/#', function(_, payload) mq:pub('obj/edge-out/echo', payload) end)
end`;
    const json = JSON.stringify({ author: 'cluster test', license: 'MIT', input: {}, guide: [] });
    const app = expectOk(await rest[0].post<{ id: number }>('/api/v2/edge/app', { name: 'echo', short_description: 'echo' }));
    const form = new FormData();
    form.append('app_lua', new Blob([lua]), 'app.lua');
    form.append('app_json', new Blob([json]), 'app.json');
    const upload = await fetch(`${nodes[0].httpUrl}/api/v2/edge/app/${app.id}/version`, { method: 'POST', headers: rest[0].headers, body: form });
    expect(upload.status).toBe(200);
    const { hash } = (await upload.json()) as { hash: string };
    // Configured through node 2: the owner learns of it over the cluster channel.
    const body = { app_id: app.id, installation_id: inst.id, version: hash, config: {}, name: 'echo' };
    const { id } = expectOk(await rest[1].post<{ id: number }>(`/api/v2/edge/app/configured/${inst.id}`, body));
    const owner = await eventually(async () => {
      for (const [i, r] of rest.entries()) {
        const logs = expectOk(await r.get<{ message: string }[]>(`/api/v2/edge/app/configured/${inst.id}/${id}/logs`));
        if (logs.some((l) => l.message.includes('echo started'))) return { index: i };
      }
      return null;
    }, 15_000);
    const other = (owner.index + 1) % nodes.length;
    // The owner posts its statuses to Redis; the other nodes answer from there.
    await eventually(async () => expectOk(await rest[other].get<{ state: string }>(`/api/v2/edge/app/configured/${inst.id}/${id}/status`)).state === 'running');

    const sub = await connectMqtt(nodes[2].mqttUrl, mqttOpts());
    clients.push(sub);
    const echoes: number[] = [];
    sub.on('message', (_t, payload) => echoes.push((JSON.parse(payload.toString()) as { value: number }).value));
    await sub.subscribeAsync(topic('obj/edge-out/#'), { qos: 1 });
    const viaOther = await connectMqtt(nodes[other].mqttUrl, mqttOpts());
    const viaOwner = await connectMqtt(nodes[owner.index].mqttUrl, mqttOpts());
    clients.push(viaOther, viaOwner);
    await viaOther.publishAsync(topic('obj/edge-in/v'), JSON.stringify({ value: 1 }), { qos: 1 });
    await eventually(async () => echoes.includes(1));
    // Published on the owner itself: its usual path, not also through the feed.
    await viaOwner.publishAsync(topic('obj/edge-in/v'), JSON.stringify({ value: 2 }), { qos: 1 });
    await eventually(async () => echoes.includes(2));
    const totals = async (t: string) => expectOk(await rest[2].get<{ total: number; data: { value: number }[] }>(`/api/v3beta/log/${inst.id}?topics=${t}&limit=100&order=asc&from=0`));
    await eventually(async () => (await totals('obj/edge-out/echo')).total >= 2);
    expect(echoes.sort()).toEqual([1, 2]);
    expect((await totals('obj/edge-in/v')).data.map((r) => r.value)).toEqual([1, 2]);
    expect((await totals('obj/edge-out/echo')).data.map((r) => r.value)).toEqual([1, 2]);
  });

  it('moves a persistent session to another node with the QoS 1 messages queued meanwhile', async () => {
    const clientId = `session-${Date.now()}`;
    const first = await connectMqtt(nodes[0].mqttUrl, { ...mqttOpts(), clientId, clean: false });
    await first.subscribeAsync(topic('obj/queued/#'), { qos: 1 });
    await first.endAsync();
    // A subscription reaches the other nodes' routing tables (aedes-persistence-redis keeps one per
    // node) through a broadcast; offline queueing on node 3 starts once it has arrived there. The
    // SUBACK only says it reached node 1's own table: on a loaded machine node 3 may lag behind.
    await new Promise((r) => setTimeout(r, 500));
    // aedes acknowledges before it queues and routes: once an online subscriber has a message, it is queued too.
    const observer = await connectMqtt(nodes[1].mqttUrl, mqttOpts());
    clients.push(observer);
    let observed = 0;
    observer.on('message', () => observed++);
    await observer.subscribeAsync(topic('obj/queued/#'), { qos: 1 });
    const pub = await connectMqtt(nodes[2].mqttUrl, mqttOpts());
    clients.push(pub);
    for (const value of [1, 2, 3]) await pub.publishAsync(topic('obj/queued/v'), JSON.stringify({ value }), { qos: 1 });
    await eventually(async () => observed === 3);

    const received: number[] = [];
    const second = await connectMqtt(nodes[1].mqttUrl, { ...mqttOpts(), clientId, clean: false });
    clients.push(second);
    second.on('message', (_t, payload) => received.push(JSON.parse(payload.toString()).value));
    await eventually(async () => received.length >= 3, 15_000).catch((err: Error) => {
      throw new Error(`${err.message}: received ${JSON.stringify(received)}`);
    });
    expect(received).toEqual([1, 2, 3]);
  });

  it('refuses a token revoked on node 1 on node 3 within a second, over REST and MQTT', async () => {
    const key = expectOk(await rest[0].post<{ id: number; token: string }>('/api/v2/user/me/security/token', { name: 'revoked soon' }));
    const onNode3 = new LynxHttp(nodes[2].httpUrl).withKey(key.token);
    // Used first, so node 3 holds it in its principal cache and a live MQTT session.
    expect((await onNode3.get('/api/v2/user/me')).status).toBe(200);
    const session = await connectMqtt(nodes[2].mqttUrl, { username: 'apikey', password: key.token });
    clients.push(session);
    const closed = new Promise<void>((resolve) => session.once('close', () => resolve()));

    expectOk(await rest[0].delete(`/api/v2/user/me/security/token/${key.id}`));
    await eventually(async () => (await onNode3.get('/api/v2/user/me')).status === 401, 1000, 20);
    await closed;
    expect(await connackCode(nodes[2].mqttUrl, { username: 'apikey', password: key.token })).not.toBeNull();
  });

  it('serves a file uploaded on node 1 from node 2, and a delete on node 3 removes it everywhere', async () => {
    // Several of the store's 1 MiB read slices.
    const bytes = randomBytes(3 * 1024 * 1024 + 123);
    const auth = rest[0].headers;
    const up = await sendMultipart(nodes[0].httpUrl, 'POST', `/api/v2/file/installation/${inst.id}`, auth, [{ name: 'file', filename: 'firmware.bin', contentType: 'application/octet-stream', data: bytes }]);
    expect(up.status).toBe(200);
    const [file] = up.json as { id: number; hash: string }[];
    const download = (node: number) => rawRequest(nodes[node].httpUrl, 'GET', `/api/v2/file/download/${file.hash}`, auth);
    const onNode2 = await download(1);
    expect(onNode2.status).toBe(200);
    expect(onNode2.bytes.equals(bytes)).toBe(true);
    expectOk(await rest[2].delete(`/api/v2/file/installation/${inst.id}/${file.id}`));
    const onNode1 = await download(0);
    expect(onNode1.status).toBe(404);
    expect(onNode1.json).toEqual({ message: expect.any(String) });
  });

  it('stops taking connections and writes while its Redis is away, and recovers', async () => {
    const node3 = new LynxHttp(nodes[2].httpUrl);
    proxy.cut();
    const report = await eventually(async () => {
      const r = await node3.get('/api/v2/ready');
      return r.status === 503 ? r.body : null;
    }, 10_000);
    expect(report).toMatchObject({ ready: false, node: 'node-3', checks: { database: 'ok' } });
    expect(report.checks.redis).not.toBe('ok');
    expect(await connackCode(nodes[2].mqttUrl, mqttOpts())).toBe(3);
    const write = await rest[2].post('/api/v2/installation', { name: 'not now' });
    expect(write.status).toBe(503);
    expect(write.body.message).toMatch(/redis/);
    // The other nodes carry on.
    expect((await rest[0].get('/api/v2/ready')).status).toBe(200);

    proxy.restore();
    await eventually(async () => (await node3.get('/api/v2/ready')).status === 200, 15_000);
    expect(await connackCode(nodes[2].mqttUrl, mqttOpts())).toBeNull();
  });

  it('stores every acknowledged message exactly once when a node is killed during a QoS 1 burst', async () => {
    const clientId = `burst-${Date.now()}`;
    const total = 400;
    const acked = new Set<number>();
    const pub = await connectMqtt(nodes[0].mqttUrl, { ...mqttOpts(), clientId, clean: false });
    pub.on('error', () => undefined);
    const send = (client: MqttClient, value: number) =>
      client.publishAsync(topic('obj/burst/v'), JSON.stringify({ value }), { qos: 1 }).then(
        () => void acked.add(value),
        () => undefined,
      );
    // Sixteen in flight at a time; node 1 is killed once a quarter is acknowledged.
    let next = 0;
    const pump = async (client: MqttClient, stop: () => boolean) => {
      while (next < total && !stop()) await send(client, next++);
    };
    let killed = false;
    // Not awaited: publishes in flight on the killed node never settle.
    for (let lane = 0; lane < 16; lane++) void pump(pub, () => killed);
    await eventually(async () => acked.size >= total / 4, 20_000, 5);
    killed = true;
    nodes[0].child.kill('SIGKILL');
    pub.end(true);
    const ackedBeforeKill = new Set(acked);

    // The client comes back on node 2 and sends what was never acknowledged again.
    const again = await connectMqtt(nodes[1].mqttUrl, { ...mqttOpts(), clientId, clean: false });
    clients.push(again);
    const missing = Array.from({ length: total }, (_, i) => i).filter((v) => !ackedBeforeKill.has(v));
    for (let i = 0; i < missing.length; i += 32) await Promise.all(missing.slice(i, i + 32).map((v) => send(again, v)));
    expect(acked.size).toBe(total);

    const counts = new Map<number, number>();
    await eventually(async () => {
      const page = expectOk(await rest[2].get<{ total: number; data: { value: number }[] }>(`/api/v3beta/log/${inst.id}?topics=obj/burst/v&limit=5000&order=asc&from=0`));
      counts.clear();
      for (const row of page.data) counts.set(row.value, (counts.get(row.value) ?? 0) + 1);
      return counts.size === total;
    }, 10_000);
    // At least once for those resent after the kill; exactly once for what node 1 acknowledged.
    expect([...ackedBeforeKill].filter((v) => counts.get(v) !== 1)).toEqual([]);
  });

  it('shuts down cleanly while its Redis is away', async () => {
    const session = await connectMqtt(nodes[2].mqttUrl, { ...mqttOpts(), clientId: `leaving-${Date.now()}`, clean: false });
    clients.push(session);
    await session.subscribeAsync(topic('obj/#'), { qos: 1 });
    proxy.cut();
    await eventually(async () => (await new LynxHttp(nodes[2].httpUrl).get('/api/v2/ready')).status === 503, 10_000);
    expect(await nodes[2].stop('SIGTERM')).toBe(0);
  });
});
