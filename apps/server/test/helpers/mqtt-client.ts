import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

export async function connectMqtt(url: string, opts: IClientOptions = {}): Promise<MqttClient> {
  const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, protocolVersion: 4, ...opts });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', (err) => reject(err));
    client.once('close', () => reject(new Error('connection closed before CONNACK')));
  });
  client.removeAllListeners('error');
  client.on('error', () => {});
  return client;
}

/** Resolves with the CONNACK refusal code, or null when the connection was accepted. */
export function connackCode(url: string, opts: IClientOptions): Promise<number | null> {
  return new Promise((resolve) => {
    const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, protocolVersion: 4, ...opts });
    client.once('connect', () => {
      client.end(true);
      resolve(null);
    });
    client.once('error', (err: Error & { code?: number }) => {
      client.end(true);
      resolve(typeof err.code === 'number' ? err.code : -1);
    });
  });
}

export async function publishAsync(client: MqttClient, topic: string, payload: unknown, qos: 0 | 1 = 1, retain = false): Promise<void> {
  await client.publishAsync(topic, typeof payload === 'string' ? payload : JSON.stringify(payload), { qos, retain });
}

/** Polls `check` until it returns a truthy value (data reaches storage asynchronously for QoS 0). */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 5000, stepMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** The SUBACK return code for one filter; mqtt.js rejects on 0x80, so read it from the error too. */
export async function subscribeGranted(client: MqttClient, filter: string, qos: 0 | 1 | 2): Promise<number> {
  try {
    const granted = await client.subscribeAsync(filter, { qos });
    return granted[0].qos;
  } catch (err) {
    const packet = (err as { packet?: { granted?: (number | { qos: number })[] } }).packet;
    const code = packet?.granted?.[0];
    if (code === undefined) throw err;
    return typeof code === 'number' ? code : code.qos;
  }
}
