// The admin UI's transport on the real built server: tRPC over HTTP, the live-value subscription
// over SSE with the token in connectionParams (EventSource cannot send headers) while a device
// publishes over MQTT, the overview, and the UI at `/` with its ready line.
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LynxHttp } from './helpers/lynx-http.js';
import { connectMqtt, publishAsync } from './helpers/mqtt-client.js';
import { removeDataDir, startServerProcess, type ServerProcess } from './helpers/server-process.js';

let server: ServerProcess;
let token: string;
let device: MqttClient | undefined;

beforeAll(async () => {
  server = await startServerProcess({ env: { LYNX_LOG_LEVEL: 'debug' } });
  ({ token } = await new LynxHttp(server.httpUrl).login(server.adminEmail, server.adminPassword));
});

afterAll(async () => {
  device?.end(true);
  await server?.stop();
  if (server) await removeDataDir(server.dataDir);
});

async function trpc<T>(method: 'GET' | 'POST', path: string, input: unknown, key: string | null = token): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) };
  const url = `${server.httpUrl}/trpc/${path}${method === 'GET' && input !== undefined ? `?input=${encodeURIComponent(JSON.stringify(input))}` : ''}`;
  const res = await fetch(url, { method, headers, body: method === 'POST' ? JSON.stringify(input) : undefined });
  return { status: res.status, body: (await res.json()) as T };
}

/** One SSE stream as tRPC's httpSubscriptionLink opens it; yields the parsed `data:` of each event. */
async function* sse(path: string, input: unknown, connectionParams: unknown, signal: AbortSignal): AsyncGenerator<{ event?: string; data: any }> {
  const query = `input=${encodeURIComponent(JSON.stringify(input))}&connectionParams=${encodeURIComponent(JSON.stringify(connectionParams))}`;
  const res = await fetch(`${server.httpUrl}/trpc/${path}?${query}`, { headers: { accept: 'text/event-stream' }, signal });
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: ?(.*)$/m.exec(block)?.[1];
      const data = block
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trimStart())
        .join('\n');
      if (data) yield { event, data: JSON.parse(data) };
    }
  }
}

describe('admin UI transport', () => {
  it('prints the UI address beside the unchanged ready line and serves the UI (or how to build it) at /', async () => {
    const ready = server.stdout.findIndex((l) => l.startsWith('lynx-server ready '));
    expect(server.stdout[ready + 1]).toBe(`lynx-server ui ${server.httpUrl}/`);
    const res = await fetch(`${server.httpUrl}/installations/1`);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await res.text();
    // With a UI build the app's page, without one the page saying how to build it.
    if (res.status === 200) expect(html).toMatch(/<div id="root"/);
    else expect(html).toContain('npm run build -w @lynx/ui');
    // API paths keep the API's answers (here: who are you?), never the UI's page.
    const api = await fetch(`${server.httpUrl}/api/v2/nothing`);
    expect(api.status).toBe(401);
    expect(api.headers.get('content-type')).toMatch(/json/);
  });

  it('streams live values over SSE with the token in connectionParams, as MQTT messages arrive', async () => {
    const created = await trpc<{ result: { data: { id: number; client_id: number } } }>('POST', 'installations.create', { name: 'Live' });
    expect(created.status).toBe(200);
    const inst = created.body.result.data;
    device = await connectMqtt(server.mqttUrl, { username: 'apikey', password: token, clientId: 'sensor-7' });
    await publishAsync(device, `${inst.client_id}/obj/t`, { value: 20, timestamp: 1_700_000_000 });

    const abort = new AbortController();
    const values: number[] = [];
    for await (const e of sse('data.live', { installationId: inst.id }, { token }, abort.signal)) {
      const event = e.data as { kind?: string; values: { topic: string; value: number }[] };
      if (!event?.kind) continue;
      values.push(...event.values.map((v) => v.value));
      if (event.kind === 'snapshot') {
        expect(event.values).toEqual([{ topic: 'obj/t', value: 20, msg: '', timestamp: 1_700_000_000 }]);
        await publishAsync(device, `${inst.client_id}/obj/t`, { value: 21.5, timestamp: 1_700_000_060 });
      } else break;
    }
    abort.abort();
    expect(values).toEqual([20, 21.5]);

    const overview = await trpc<{ result: { data: { installations: { id: number; active_clients: string[]; last_activity: number | null; devices: number }[]; broker_clients: number } } }>(
      'GET',
      'overview',
      undefined,
    );
    const row = overview.body.result.data.installations.find((i) => i.id === inst.id)!;
    expect(row).toMatchObject({ active_clients: ['sensor-7'], devices: 0 });
    expect(row.last_activity).toBeGreaterThan(0);
    expect(overview.body.result.data.broker_clients).toBeGreaterThanOrEqual(1);
  });

  it('ends open subscriptions when the server shuts down', async () => {
    const other = await startServerProcess();
    try {
      const { token: otherToken } = await new LynxHttp(other.httpUrl).login(other.adminEmail, other.adminPassword);
      const created = await fetch(`${other.httpUrl}/trpc/installations.create`, { method: 'POST', headers: { 'x-api-key': otherToken, 'content-type': 'application/json' }, body: '{"name":"S"}' });
      const id = ((await created.json()) as { result: { data: { id: number } } }).result.data.id;
      const query = `input=${encodeURIComponent(JSON.stringify({ installationId: id }))}&connectionParams=${encodeURIComponent(JSON.stringify({ token: otherToken }))}`;
      const res = await fetch(`${other.httpUrl}/trpc/data.live?${query}`);
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      let text = '';
      while (!text.includes('snapshot')) text += new TextDecoder().decode((await reader.read()).value);
      // Without ending the stream, the HTTP server would wait for this tab forever.
      expect(await other.stop()).toBe(0);
      await reader.cancel().catch(() => undefined);
    } finally {
      await other.stop();
      await removeDataDir(other.dataDir);
    }
  });

  it('refuses a subscription without a valid token, and never logs the token it was given', async () => {
    const abort = new AbortController();
    const events: { event?: string; data: any }[] = [];
    for await (const e of sse('data.live', { installationId: 1 }, { token: 'not-a-real-token-0123456789' }, abort.signal)) {
      events.push(e);
      if (e.event === 'serialized-error') break;
    }
    abort.abort();
    expect(JSON.stringify(events)).toMatch(/UNAUTHORIZED|Unauthorized/);
    const logs = await trpc<{ result: { data: { line: string }[] } }>('GET', 'system.logs', { limit: 500 });
    expect(logs.status).toBe(200);
    expect(logs.body.result.data.length).toBeGreaterThan(0);
    expect(JSON.stringify(logs.body)).not.toContain('not-a-real-token-0123456789');
    expect(server.stdout.join('\n')).not.toContain('not-a-real-token-0123456789');
    expect(server.stdout.join('\n')).not.toContain(token);
  });
});
