import { Aedes, type AuthenticateError } from 'aedes';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MqttPublisher } from './mqtt-publisher.js';

let broker: Aedes;
let server: Server;
let port: number;
const published: { topic: string; payload: string; retain: boolean; client: string | undefined }[] = [];

beforeAll(async () => {
  broker = await Aedes.createBroker({
    authenticate: (_client, username, password, done) => {
      if (username === 'api-key' && password?.toString() === 'k3y') return done(null, true);
      const err = new Error('bad credentials') as AuthenticateError;
      err.returnCode = 4;
      done(err, false);
    },
  });
  broker.on('publish', (packet, client) => {
    if (client) published.push({ topic: packet.topic, payload: packet.payload.toString(), retain: packet.retain, client: client.id });
  });
  server = createServer(broker.handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.close();
  await new Promise<void>((r) => broker.close(() => r()));
});

const options = (over: Partial<Parameters<typeof MqttPublisher.connect>[0]> = {}) => ({
  host: '127.0.0.1',
  port,
  tls: false,
  clientId: 'edge-app-test',
  username: 'api-key',
  password: 'k3y',
  keepaliveSeconds: 30,
  timeoutMs: 5000,
  ...over,
});

describe('ev.mqtt publisher', () => {
  it('connects with user name and password and publishes', async () => {
    const client = await MqttPublisher.connect(options());
    client.publish('1001/obj/shared/t', '{"value":1}', false);
    client.publish('1001/obj/shared/r', 'kept', true);
    for (let i = 0; i < 100 && published.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(published).toEqual([
      { topic: '1001/obj/shared/t', payload: '{"value":1}', retain: false, client: 'edge-app-test' },
      { topic: '1001/obj/shared/r', payload: 'kept', retain: true, client: 'edge-app-test' },
    ]);
    expect(() => client.publish('a/#', 'x', false)).toThrow(/invalid topic/);
    client.close();
    expect(client.connected).toBe(false);
    expect(() => client.publish('a/b', 'x', false)).toThrow(/not connected/);
  });

  it('reports refused credentials, closed ports and link-local brokers', async () => {
    await expect(MqttPublisher.connect(options({ password: 'wrong' }))).rejects.toThrow(/bad user name or password/);
    await expect(MqttPublisher.connect(options({ port: 1 }))).rejects.toThrow(/ECONNREFUSED/);
    await expect(MqttPublisher.connect(options({ host: '169.254.169.254' }))).rejects.toThrow(/link-local/);
  });
});
