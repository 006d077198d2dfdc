// Malformed payloads are dropped, counted per installation and logged, while the publishing
// connection and everything else keep working.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstallation, type InstallationRef } from './helpers/fixtures.js';
import { expectOk, LynxHttp } from './helpers/lynx-http.js';
import { connectMqtt, eventually, publishAsync } from './helpers/mqtt-client.js';
import { removeDataDir, startServerProcess, type ServerProcess } from './helpers/server-process.js';

let server: ServerProcess;
let admin: LynxHttp;
let token: string;
let inst: InstallationRef;
let other: InstallationRef;

beforeAll(async () => {
  server = await startServerProcess({ env: { LYNX_MAX_PAYLOAD_BYTES: '1024' } });
  ({ client: admin, token } = await new LynxHttp(server.httpUrl).login(server.adminEmail, server.adminPassword));
  inst = await createInstallation(admin, 'Noisy');
  other = await createInstallation(admin, 'Quiet');
});

afterAll(async () => {
  expect(await server?.stop()).toBe(0);
  await removeDataDir(server.dataDir);
});

async function rejectedCount(installationId: number): Promise<number> {
  const input = encodeURIComponent(JSON.stringify({ installationId }));
  const res = expectOk(await admin.get<{ result: { data: { rejected_payloads: number } } }>(`/trpc/ingest.stats?input=${input}`));
  return res.result.data.rejected_payloads;
}

describe('bad payloads', () => {
  it('are not stored, are counted per installation, and the client stays connected', async () => {
    const device = await connectMqtt(server.mqttUrl, { username: 'apikey', password: token, clientId: 'noisy' });
    let closed = false;
    device.on('close', () => (closed = true));
    const bad = [
      'not json',
      '[1,2,3]',
      '{"value":"21.5"}',
      '{"timestamp":1700000000}',
      '{"value":1,"timestamp":"yesterday"}',
      '{"value":1,"msg":42}',
      JSON.stringify({ value: 1, msg: 'x'.repeat(2000) }),
    ];
    for (const payload of bad) await publishAsync(device, `${inst.client_id}/obj/sensor`, payload, 1);
    for (const payload of bad.slice(0, 2)) await publishAsync(device, `${inst.client_id}/obj/sensor`, payload, 0);
    await publishAsync(device, `${inst.client_id}/obj/sensor`, { value: 3.5, timestamp: 1_700_000_000, extra: 'ignored' }, 1);

    expect(closed).toBe(false);
    expect(device.connected).toBe(true);
    await eventually(async () => (await rejectedCount(inst.id)) === bad.length + 2);
    expect(await rejectedCount(other.id)).toBe(0);

    const log = expectOk(await admin.get(`/api/v3beta/log/${inst.id}?topics=obj/sensor&from=0&to=2000000000`));
    expect(log.data.map((d: any) => [d.value, d.timestamp, d.msg])).toEqual([[3.5, 1_700_000_000, '']]);
    device.end(true);
  });

  it('a client that publishes only garbage never breaks another client', async () => {
    const garbage = await connectMqtt(server.mqttUrl, { username: 'apikey', password: token, clientId: 'garbage' });
    const good = await connectMqtt(server.mqttUrl, { username: 'apikey', password: token, clientId: 'good' });
    await Promise.all(Array.from({ length: 200 }, (_, i) => publishAsync(garbage, `${other.client_id}/obj/g`, `{"broken": ${i}`, 1)));
    await publishAsync(good, `${other.client_id}/obj/ok`, { value: 1 }, 1);
    expect(expectOk(await admin.get<any[]>(`/api/v2/status/${other.id}`)).map((e) => e.topic)).toEqual(['obj/ok']);
    expect(await rejectedCount(other.id)).toBe(200);
    garbage.end(true);
    good.end(true);
  });
});
