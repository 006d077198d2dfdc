// What the tests do outside the browser: log in over REST, call tRPC and REST with a token, and
// publish values over MQTT as a device would.
import mqtt from 'mqtt';
import { e2e } from './env.js';

export async function restLogin(email = e2e.adminEmail, password = e2e.adminPassword): Promise<string> {
  const res = await fetch(`${e2e.url}/api/v2/auth`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${email}:${password}`).toString('base64')}` },
  });
  if (res.status !== 200) throw new Error(`login of ${email} failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

export async function rest(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${e2e.url}${path}`, {
    method,
    headers: { 'x-api-key': token, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** A tRPC mutation (POST) or query (GET) as the UI makes it; throws with the server's message. */
export async function trpc<T = any>(token: string, kind: 'query' | 'mutation', path: string, input?: unknown): Promise<T> {
  const query = kind === 'query' && input !== undefined ? `?input=${encodeURIComponent(JSON.stringify(input))}` : '';
  const res = await fetch(`${e2e.url}/trpc/${path}${query}`, {
    method: kind === 'query' ? 'GET' : 'POST',
    headers: { 'x-api-key': token, 'content-type': 'application/json' },
    body: kind === 'mutation' ? JSON.stringify(input ?? {}) : undefined,
  });
  const json = (await res.json()) as { result?: { data: T }; error?: { message: string } };
  if (!res.ok || !json.result) throw new Error(`${path}: ${res.status} ${json.error?.message ?? JSON.stringify(json)}`);
  return json.result.data;
}

/** Publishes value payloads (spec 4.2) at QoS 1 and waits for the broker's acknowledgement of each. */
export async function publishValues(token: string, topic: string, values: { value: number; timestamp?: number; msg?: string }[]): Promise<void> {
  const client = await mqtt.connectAsync(e2e.mqttUrl, { username: 'apikey', password: token, clientId: `e2e-device-${process.pid}`, reconnectPeriod: 0, protocolVersion: 4 });
  try {
    for (const v of values) await client.publishAsync(topic, JSON.stringify(v), { qos: 1 });
  } finally {
    await client.endAsync();
  }
}
