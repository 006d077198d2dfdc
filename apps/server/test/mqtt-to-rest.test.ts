// The core flow: a device publishes over MQTT with a token, history and last values come back over
// the Lynx REST API in every topic form, and aggregations match an independent computation.
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstallation, type InstallationRef } from './helpers/fixtures.js';
import { expectOk, LynxHttp } from './helpers/lynx-http.js';
import { connectMqtt, eventually, publishAsync } from './helpers/mqtt-client.js';
import { removeDataDir, startServerProcess, type ServerProcess } from './helpers/server-process.js';
import { reference } from './reference-aggregates.js';

let server: ServerProcess;
let admin: LynxHttp;
let token: string;
let inst: InstallationRef;
let device: MqttClient;

const t0 = 1_700_000_400; // a multiple of 600, so 10-minute buckets start at t0
const series = Array.from({ length: 36 }, (_, i) => ({ timestamp: t0 + i * 50 + 0.125, value: Math.round(Math.sin(i) * 1000) / 10 + i }));

beforeAll(async () => {
  server = await startServerProcess();
  ({ client: admin, token } = await new LynxHttp(server.httpUrl).login(server.adminEmail, server.adminPassword));
  inst = await createInstallation(admin, 'Home');
  device = await connectMqtt(server.mqttUrl, { username: 'apikey', password: token, clientId: 'device-1' });
  for (const p of series) await publishAsync(device, `${inst.client_id}/obj/example/temperature`, { ...p, msg: 'ok' }, 1);
  await publishAsync(device, `${inst.client_id}/obj/example/humidity`, { value: 40, timestamp: 1_700_000_000.5 }, 1);
});

afterAll(async () => {
  device?.end(true);
  expect(await server?.stop()).toBe(0);
  await removeDataDir(server.dataDir);
});

describe('status', () => {
  it('returns the last value per topic with relative topics, for every filter form', async () => {
    const last = series[series.length - 1];
    const expected = { client_id: inst.client_id, installation_id: inst.id, topic: 'obj/example/temperature', value: last.value, msg: 'ok', timestamp: last.timestamp };
    for (const q of ['topics=obj/example/temperature', `topics=${inst.client_id}/obj/example/temperature`, 'topics=obj%2Fexample%2Ftemperature']) {
      expect(expectOk(await admin.get(`/api/v2/status/${inst.id}?${q}`))).toEqual([expected]);
    }
    const all = expectOk(await admin.get<any[]>(`/api/v2/status/${inst.id}`));
    expect(all.map((e) => e.topic).sort()).toEqual(['obj/example/humidity', 'obj/example/temperature']);
    const both = expectOk(await admin.get<any[]>(`/api/v2/status/${inst.id}?topics=obj/example/temperature,obj/example/humidity`));
    expect(both).toHaveLength(2);
    const repeated = expectOk(await admin.get<any[]>(`/api/v2/status/${inst.id}?topics=obj/example/temperature&topics=${inst.client_id}/obj/example/humidity`));
    expect(repeated).toHaveLength(2);
    expect(expectOk(await admin.post(`/api/v2/status/${inst.id}`, ['obj/example/temperature']))).toEqual([expected]);
  });

  it('fills a missing timestamp with the receive time', async () => {
    const before = Date.now() / 1000;
    await publishAsync(device, `${inst.client_id}/obj/example/no-ts`, { value: 7 }, 1);
    const [entry] = expectOk(await admin.get<any[]>(`/api/v2/status/${inst.id}?topics=obj/example/no-ts`));
    expect(entry.value).toBe(7);
    expect(entry.timestamp).toBeGreaterThanOrEqual(before - 1);
    expect(entry.timestamp).toBeLessThanOrEqual(Date.now() / 1000 + 1);
  });
});

describe('log v3', () => {
  const path = () => `/api/v3beta/log/${inst.id}`;

  it('returns history with prefixed topics, paged, in both orders', async () => {
    const page = expectOk(await admin.get(`${path()}?from=${t0 - 10}&to=${t0 + 4000}&limit=2000&offset=0&order=asc&include_total=false&topics=obj/example/temperature`));
    expect(page.count).toBe(series.length);
    expect(page.data[0]).toEqual({ client_id: inst.client_id, installation_id: inst.id, topic: `${inst.client_id}/obj/example/temperature`, value: series[0].value, msg: 'ok', timestamp: series[0].timestamp });
    expect(page.data.map((d: any) => d.timestamp)).toEqual(series.map((s) => s.timestamp));
    expect(page.last).toBe(series[series.length - 1].timestamp);

    const desc = expectOk(await admin.get(`${path()}?from=${t0 - 10.5}&to=${t0 + 4000}&limit=10&offset=5&topics=${inst.client_id}/obj/example/temperature`));
    expect(desc.total).toBe(series.length);
    expect(desc.count).toBe(10);
    expect(desc.data.map((d: any) => d.value)).toEqual(series.slice().reverse().slice(5, 15).map((s) => s.value));
  });

  it('pages to the end the way Grafana does (offset += count until a short page)', async () => {
    const seen: number[] = [];
    for (let offset = 0; ; ) {
      const page = expectOk(await admin.get(`${path()}?from=${t0}&to=${t0 + 4000}&limit=7&offset=${offset}&order=asc&include_total=false&topics=obj/example/temperature`));
      seen.push(...page.data.map((d: any) => d.value));
      offset += page.data.length;
      if (page.data.length < 7) break;
    }
    expect(seen).toEqual(series.map((s) => s.value));
  });

  it('accepts the topic list as a POST body and comma-joined', async () => {
    const viaPost = expectOk(await admin.post(`${path()}?from=1699999000&to=${t0 + 4000}&order=asc`, ['obj/example/temperature', 'obj/example/humidity']));
    expect(viaPost.total).toBe(series.length + 1);
    const viaComma = expectOk(await admin.get(`${path()}?from=1699999000&to=${t0 + 4000}&topics=obj/example/temperature,obj/example/humidity`));
    expect(viaComma.total).toBe(series.length + 1);
    expect(viaComma.last_time).toBe(viaComma.last);
  });

  it.each(['avg', 'count', 'first', 'last', 'max', 'median', 'min', 'spread', 'stddev', 'sum', 'percentile(50)', 'percentile(90)', 'percentile(95)', 'percentile(99)'])(
    'aggregates with %s over 10m0s buckets',
    async (method) => {
      const page = expectOk(await admin.get(`${path()}?from=${t0}&to=${t0 + 3600}&order=asc&topics=obj/example/temperature&aggr_method=${encodeURIComponent(method)}&aggr_interval=10m0s`));
      const buckets = new Map<number, number[]>();
      for (const p of series) {
        const start = Math.floor(p.timestamp / 600) * 600;
        buckets.set(start, [...(buckets.get(start) ?? []), p.value]);
      }
      expect(page.data.map((d: any) => d.timestamp)).toEqual([...buckets.keys()]);
      for (const [i, values] of [...buckets.values()].entries()) {
        expect(page.data[i].value, `bucket ${i}`).toBeCloseTo(reference(method, values), 9);
        expect(page.data[i].topic).toBe(`${inst.client_id}/obj/example/temperature`);
      }
    },
  );

  it('defaults the interval to 1m when only a method is given', async () => {
    const page = expectOk(await admin.get(`${path()}?from=${t0}&to=${t0 + 3600}&order=asc&topics=obj/example/temperature&aggr_method=count`));
    expect(page.data.reduce((a: number, d: any) => a + d.value, 0)).toBe(series.length);
    expect(page.data.every((d: any) => d.timestamp % 60 === 0)).toBe(true);
  });

  it('rejects bad parameters with 400 and a message', async () => {
    for (const q of ['aggr_method=mode', 'aggr_method=avg&aggr_interval=10 minutes', 'order=sideways', 'limit=-1', 'from=yesterday']) {
      const res = await admin.get(`${path()}?${q}`);
      expect(res.status, q).toBe(400);
      expect(typeof res.body.message).toBe('string');
    }
  });
});
