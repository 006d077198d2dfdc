// A second start on the same data dir finds everything as it was: AAM rows, history, last values,
// retained messages and the offline QoS 1 queue of a persistent session.
import { afterAll, describe, expect, it } from 'vitest';
import { createInstallation } from './helpers/fixtures.js';
import { expectOk, LynxHttp } from './helpers/lynx-http.js';
import { connectMqtt, eventually, publishAsync } from './helpers/mqtt-client.js';
import { makeDataDir, removeDataDir, startServerProcess } from './helpers/server-process.js';

let dataDir: string;
afterAll(async () => {
  if (dataDir) await removeDataDir(dataDir);
});

describe('restart', () => {
  it('keeps AAM rows, history, last values, retained messages and offline QoS1 queues', async () => {
    dataDir = await makeDataDir();
    const first = await startServerProcess({ dataDir });
    const { client: admin, token } = await new LynxHttp(first.httpUrl).login(first.adminEmail, first.adminPassword);
    const inst = await createInstallation(admin, 'Persisted', { meta: { site: 'north' } });
    const fn = expectOk(await admin.post(`/api/v2/functionx/${inst.id}`, { type: 'temperature', meta: { topic_read: 'obj/t' } }));
    const apiToken = expectOk(await admin.post<{ token: string }>('/api/v2/user/me/security/token', { name: 'kept' })).token;

    const pub = await connectMqtt(first.mqttUrl, { username: 'apikey', password: token, clientId: 'pub' });
    for (let i = 0; i < 5; i++) await publishAsync(pub, `${inst.client_id}/obj/t`, { value: i, timestamp: 1_700_000_000 + i }, 1);
    await publishAsync(pub, `${inst.client_id}/obj/retained`, { value: 99, timestamp: 1_700_000_100 }, 1, true);

    // A persistent session subscribes, goes offline, and misses two QoS 1 messages.
    const sleeper = await connectMqtt(first.mqttUrl, { username: 'apikey', password: token, clientId: 'sleeper', clean: false });
    await sleeper.subscribeAsync(`${inst.client_id}/obj/queued`, { qos: 1 });
    sleeper.end(true);
    await new Promise((r) => setTimeout(r, 200));
    await publishAsync(pub, `${inst.client_id}/obj/queued`, { value: 1, timestamp: 1_700_000_201 }, 1);
    await publishAsync(pub, `${inst.client_id}/obj/queued`, { value: 2, timestamp: 1_700_000_202 }, 1);
    pub.end(true);
    expect(await first.stop('SIGTERM')).toBe(0);

    const second = await startServerProcess({ dataDir });
    try {
      expect(second.stdout.some((l) => l.includes('first start'))).toBe(false);
      const api = new LynxHttp(second.httpUrl).withKey(apiToken);
      const again = expectOk(await api.get(`/api/v2/installation/${inst.id}`));
      expect(again).toMatchObject({ id: inst.id, client_id: inst.client_id, name: 'Persisted', meta: { site: 'north' } });
      expect(expectOk(await api.get(`/api/v2/functionx/${inst.id}/${fn.id}`)).meta.topic_read).toBe('obj/t');
      const log = expectOk(await api.get(`/api/v3beta/log/${inst.id}?topics=obj/t&order=asc&from=1699999999&to=1700000010`));
      expect(log.data.map((d: any) => d.value)).toEqual([0, 1, 2, 3, 4]);
      expect(expectOk(await api.get<any[]>(`/api/v2/status/${inst.id}?topics=obj/t`))[0].value).toBe(4);

      const late = await connectMqtt(second.mqttUrl, { username: 'apikey', password: apiToken, clientId: 'late' });
      const retained: string[] = [];
      late.on('message', (_t, payload, packet) => packet.retain && retained.push(payload.toString()));
      await late.subscribeAsync(`${inst.client_id}/obj/retained`, { qos: 1 });
      await eventually(async () => retained.length > 0);
      expect(JSON.parse(retained[0]).value).toBe(99);
      late.end(true);

      const queued: number[] = [];
      const back = await connectMqtt(second.mqttUrl, { username: 'apikey', password: apiToken, clientId: 'sleeper', clean: false });
      back.on('message', (_t, payload) => queued.push(JSON.parse(payload.toString()).value));
      await eventually(async () => queued.length >= 2);
      expect(queued).toEqual([1, 2]);
      back.end(true);
    } finally {
      expect(await second.stop('SIGINT')).toBe(0);
    }
  });
});
