// Retention on the built server: an installation's period set over tRPC, the sweep at start deletes the
// old raw points (REST log), frees the disk (the tsdb folder measured while the server is stopped), keeps
// the last values (status) and, with rollups kept forever, the daily counts of the deleted days.
import { randomBytes } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstallation, type InstallationRef } from './helpers/fixtures.js';
import { expectOk, LynxHttp } from './helpers/lynx-http.js';
import { connectMqtt, eventually, publishAsync } from './helpers/mqtt-client.js';
import { removeDataDir, startServerProcess, type ServerProcess } from './helpers/server-process.js';

const DAY = 86_400;
let server: ServerProcess;
let admin: LynxHttp;
let token: string;
let inst: InstallationRef;
let device: MqttClient | undefined;

beforeAll(async () => {
  server = await startServerProcess();
  ({ client: admin, token } = await new LynxHttp(server.httpUrl).login(server.adminEmail, server.adminPassword));
  inst = await createInstallation(admin, 'Retained');
  device = await connectMqtt(server.mqttUrl, { username: 'apikey', password: token, clientId: 'retention-device' });
});

afterAll(async () => {
  device?.end(true);
  await server?.stop();
  if (server) await removeDataDir(server.dataDir);
});

async function folderBytes(dir: string): Promise<number> {
  let n = 0;
  for (const e of await readdir(dir)) n += (await stat(join(dir, e))).size;
  return n;
}

async function trpc<T>(method: 'GET' | 'POST', path: string, input: unknown): Promise<{ status: number; body: T }> {
  const url = `${server.httpUrl}/trpc/${path}${method === 'GET' ? `?input=${encodeURIComponent(JSON.stringify(input))}` : ''}`;
  const res = await fetch(url, { method, headers: { 'content-type': 'application/json', 'x-api-key': token }, body: method === 'POST' ? JSON.stringify(input) : undefined });
  return { status: res.status, body: (await res.json()) as T };
}

const logTotal = async (query = '') =>
  expectOk(await admin.get<{ total: number; data: { timestamp: number; value: number }[] }>(`/api/v3beta/log/${inst.id}?from=0&to=4000000000&limit=10000${query}`));

describe('time-series retention', () => {
  it('deletes old raw points at the next sweep, frees the disk and keeps status and rollups', async () => {
    const now = Math.floor(Date.now() / 1000);
    const oldStart = now - 45 * DAY;
    // 6,000 old points over 10 days (45 to 35 days ago; retention works in whole UTC days) with incompressible messages (~1.5 MB), then 100 recent ones.
    const old = Array.from({ length: 6000 }, (_, i) => ({ timestamp: oldStart + i * 144, value: i, msg: randomBytes(180).toString('base64') }));
    const recent = Array.from({ length: 100 }, (_, i) => ({ timestamp: now - DAY + i * 60, value: 10_000 + i }));
    const topic = `${inst.client_id}/obj/sensor/temperature`;
    for (let i = 0; i < old.length; i += 200) await Promise.all(old.slice(i, i + 200).map((p) => publishAsync(device!, topic, p, 1)));
    await Promise.all(recent.map((p) => publishAsync(device!, topic, p, 1)));
    await publishAsync(device!, `${inst.client_id}/obj/only-old`, { value: 42, timestamp: oldStart, msg: 'kept' }, 1);
    await eventually(async () => (await logTotal()).total === old.length + recent.length + 1, 20_000);
    const dailyBefore = await logTotal('&topics=obj/sensor/temperature&aggr_method=count&aggr_interval=24h');

    // 30 days of raw data, rollups forever.
    const set = await trpc<{ result: { data: { effective: { rawDays: number } } } }>('POST', 'retention.set', { installationId: inst.id, period: { rawDays: 30, rollupDays: 0 } });
    expect(set.status).toBe(200);
    expect(set.body.result.data.effective).toEqual({ rawDays: 30, rollupDays: 0 });
    const bad = await trpc('POST', 'retention.set', { installationId: inst.id, period: { rawDays: -3, rollupDays: 0 } });
    expect(bad.status).toBe(400);

    device!.end(true);
    device = undefined;
    expect(await server.stop()).toBe(0);
    const before = await folderBytes(join(server.dataDir, 'tsdb'));

    // The sweep runs at start.
    server = await startServerProcess({ dataDir: server.dataDir });
    ({ client: admin, token } = await new LynxHttp(server.httpUrl).login(server.adminEmail, server.adminPassword));
    const after = await eventually(async () => {
      const page = await logTotal();
      return page.total === recent.length ? page : undefined;
    }, 20_000);
    expect(after.data.every((p) => p.timestamp >= now - 31 * DAY)).toBe(true);
    const status = expectOk(await admin.get<{ topic: string; value: number; msg: string }[]>(`/api/v2/status/${inst.id}?topics=obj/only-old`));
    expect(status).toMatchObject([{ topic: 'obj/only-old', value: 42, msg: 'kept' }]);
    // Rollups kept: daily counts of the deleted days still answer.
    expect(await logTotal('&topics=obj/sensor/temperature&aggr_method=count&aggr_interval=24h')).toEqual(dailyBefore);
    // Median needs raw points: only the recent day(s) remain.
    const medians = await logTotal('&topics=obj/sensor/temperature&aggr_method=median&aggr_interval=24h');
    expect(medians.data.map((p) => p.timestamp)).toEqual(medians.data.filter((p) => p.timestamp >= now - 31 * DAY).map((p) => p.timestamp));
    expect(medians.total).toBeLessThanOrEqual(2);
    expect((await trpc<{ result: { data: { override: unknown } } }>('GET', 'retention.get', { installationId: inst.id })).body.result.data.override).toEqual({ rawDays: 30, rollupDays: 0 });

    expect(await server.stop()).toBe(0);
    const freed = await folderBytes(join(server.dataDir, 'tsdb'));
    expect(freed).toBeLessThan(before / 2);
    server = await startServerProcess({ dataDir: server.dataDir });
  });
});
