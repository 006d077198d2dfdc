// The official Node client, unmodified, against the server.
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstallation, type InstallationRef } from './helpers/fixtures.js';
import { expectOk, LynxHttp } from './helpers/lynx-http.js';
import { connectMqtt, publishAsync } from './helpers/mqtt-client.js';
import { removeDataDir, startServerProcess, type ServerProcess } from './helpers/server-process.js';

const require = createRequire(import.meta.url);
const { LynxClient } = require('@iotopen/node-lynx') as { LynxClient: new (url: string, key: string) => any };

let server: ServerProcess;
let token: string;
let inst: InstallationRef;

beforeAll(async () => {
  server = await startServerProcess();
  const login = await new LynxHttp(server.httpUrl).login(server.adminEmail, server.adminPassword);
  token = login.token;
  inst = await createInstallation(login.client, 'NodeLynx');
  expectOk(await login.client.post(`/api/v2/functionx/${inst.id}`, { type: 'temperature', meta: { name: 'Temp', topic_read: 'obj/t' } }));
  expectOk(await login.client.post(`/api/v2/functionx/${inst.id}`, { type: 'switch', meta: { name: 'Lamp', topic_read: 'obj/s' } }));
  const mq = await connectMqtt(server.mqttUrl, { username: 'apikey', password: token });
  await publishAsync(mq, `${inst.client_id}/obj/t`, { value: 21.5, timestamp: 1_700_000_000.123 }, 1);
  mq.end(true);
});

afterAll(async () => {
  await server?.stop();
  await removeDataDir(server.dataDir);
});

describe('@iotopen/node-lynx', () => {
  it('lists installations', async () => {
    const client = new LynxClient(`${server.httpUrl}/`, token);
    const list = await client.getInstallations();
    expect(list).toEqual([expect.objectContaining({ id: inst.id, client_id: inst.client_id, name: 'NodeLynx' })]);
  });

  it('lists and filters functions, and reads one', async () => {
    const client = new LynxClient(server.httpUrl, token);
    const all = await client.getFunctions(inst.id);
    expect(all.map((f: any) => f.meta.name).sort()).toEqual(['Lamp', 'Temp']);
    const switches = await client.getFunctions(inst.id, { type: 'switch' });
    expect(switches.map((f: any) => f.meta.name)).toEqual(['Lamp']);
    const one = await client.getFunction(inst.id, switches[0].id);
    expect(one.type).toBe('switch');
  });

  it('reads status', async () => {
    const client = new LynxClient(server.httpUrl, token);
    const status = await client.getStatus(inst.id, ['obj/t']);
    expect(status).toEqual([{ client_id: inst.client_id, installation_id: inst.id, topic: 'obj/t', value: 21.5, msg: '', timestamp: 1_700_000_000.123 }]);
    await expect(new LynxClient(server.httpUrl, 'bad').getInstallations()).rejects.toThrow(/401/);
  });
});
