// Randomized malformed input for every route of the server's own OpenAPI document (so new
// endpoints are covered as they are added): hostile JSON of every type and depth, wrong types for
// the fields each route knows, huge and odd unicode strings, tricky path segments and query
// strings, non-JSON bodies under a JSON content type, with the admin's key (to reach the handlers)
// and without. No answer may be a 5xx, every 4xx carries {message: string}, and afterwards the
// server still answers and still stores what is published over MQTT.
//
// Seeded: the seed is printed; LYNX_FUZZ_SEED repeats a run, LYNX_FUZZ_ROUNDS sets the requests
// per route (default 30). The fixed sweep in malformed-input.test.ts stays; this one generates.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOk, LynxHttp } from './helpers/lynx-http.js';
import { connectMqtt, eventually, publishAsync } from './helpers/mqtt-client.js';
import { encodeLoose, hugeString, knownQueryNames, nonJsonBody, Prng, randomJson, randomQuery, randomString, trickySegment, wrongTypeFor } from './helpers/random-input.js';
import { removeDataDir, startServerProcess, type ServerProcess } from './helpers/server-process.js';

const seed = process.env.LYNX_FUZZ_SEED ? Number(process.env.LYNX_FUZZ_SEED) : Math.floor(Math.random() * 2 ** 32);
const roundsPerRoute = Number(process.env.LYNX_FUZZ_ROUNDS ?? 30);

let server: ServerProcess;
let admin: LynxHttp;
let adminKey: string;

/** Valid ids by kind, so some requests get past the id checks into the handlers. */
const valid: Record<string, string[]> = {};
/** Ids whose loss would end the run early (the caller itself, its role, key and organization). */
const protectedIds: Record<string, string[]> = {};

beforeAll(async () => {
  server = await startServerProcess();
  const anon = new LynxHttp(server.httpUrl);
  const { client } = await anon.login(server.adminEmail, server.adminPassword);
  // An API key, not a login token: it survives password changes the fuzzing may cause.
  const key = expectOk(await client.post<{ id: number; token: string }>('/api/v2/user/me/security/token', { name: 'fuzz' }));
  adminKey = key.token;
  admin = anon.withKey(adminKey);
  const me = expectOk(await admin.get('/api/v2/user/me'));
  const inst = expectOk(await admin.post('/api/v2/installation', { name: 'fuzz target', meta: { name: 'n' } }));
  const device = expectOk(await admin.post(`/api/v2/devicex/${inst.id}`, { type: 't', meta: { name: 'n' } }));
  const fn = expectOk(await admin.post(`/api/v2/functionx/${inst.id}`, { type: 't', meta: { name: 'n' } }));
  const org = expectOk(await admin.post('/api/v2/organization', { name: 'fuzz org', meta: { name: 'n' } }));
  const user = expectOk(await admin.post('/api/v2/user', { email: 'fuzz-victim@example.com', password: 'fuzz-victim-password', organisations: [org.id], meta: { name: 'n' } }));
  const role = expectOk(await admin.post('/api/v2/role', { name: 'fuzz role', priority: 1, permissions: {} }));
  Object.assign(valid, {
    installation: [String(inst.id)],
    client: [String(inst.client_id)],
    devicex: [String(device.id)],
    functionx: [String(fn.id)],
    organization: [String(org.id)],
    user: [String(user.id), 'me'],
    role: [String(role.id)],
    token: [String(key.id)],
    key: ['name'],
  });
  Object.assign(protectedIds, {
    user: [String(me.id), 'me'],
    role: [String(me.role)],
    token: [String(key.id)],
    organization: me.organisations.map(String),
  });
});

afterAll(async () => {
  await server?.stop();
  if (server) await removeDataDir(server.dataDir);
});

// ---------------------------------------------------------------------------------------------
// Building requests from the OpenAPI document
// ---------------------------------------------------------------------------------------------
interface Operation {
  method: string;
  path: string;
  /** Field names and types the route answers with: likely what its body takes too. */
  fields: [string, string | undefined][];
  queryNames: string[];
}

interface SchemaLike {
  type?: string;
  properties?: Record<string, SchemaLike>;
  items?: SchemaLike;
  anyOf?: SchemaLike[];
  oneOf?: SchemaLike[];
}

function objectFields(schema: SchemaLike | undefined, depth = 0): [string, string | undefined][] {
  if (!schema || depth > 3) return [];
  if (schema.properties) return Object.entries(schema.properties).map(([name, s]) => [name, s.type]);
  return [schema.items, ...(schema.anyOf ?? []), ...(schema.oneOf ?? [])].flatMap((s) => objectFields(s, depth + 1));
}

function operationsOf(doc: { paths: Record<string, Record<string, any>> }): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if (!['get', 'post', 'put', 'delete', 'patch'].includes(method)) continue;
      const fields = objectFields(op.responses?.['200']?.content?.['application/json']?.schema);
      const queryNames = (op.parameters ?? []).filter((p: { in: string }) => p.in === 'query').map((p: { name: string }) => p.name);
      ops.push({ method: method.toUpperCase(), path, fields, queryNames });
    }
  }
  return ops;
}

/** The kind of id a path parameter names, from its name or the literal segment before it. */
function kindOf(segments: string[], index: number): string {
  const name = segments[index].slice(1, -1);
  if (name === 'installationId') return 'installation';
  if (name === 'clientId') return 'client';
  if (name === 'tokenId') return 'token';
  if (name === 'key') return 'key';
  for (let i = index - 1; i >= 0; i--) if (!segments[i].startsWith('{')) return segments[i];
  return 'unknown';
}

function fillPath(rng: Prng, op: Operation): string {
  const segments = op.path.split('/');
  const last = segments.length - 1;
  return segments
    .map((segment, i) => {
      if (!segment.startsWith('{')) return segment;
      const kind = kindOf(segments, i);
      // Deleting the fixtures would leave the rest of the run at the id checks.
      const mayBeValid = !(op.method === 'DELETE' && i === last && kind !== 'key');
      for (let attempt = 0; attempt < 20; attempt++) {
        let value: string;
        if (kind === 'key' && rng.chance(0.5)) value = rng.pick(['name', 'a', 'a/b/c', 'x.y', encodeLoose(randomString(rng, 20)) || 'k']);
        else if (mayBeValid && valid[kind] && rng.chance(0.45)) value = rng.pick(valid[kind]);
        else value = trickySegment(rng);
        if (!(protectedIds[kind] ?? []).includes(value) && !/^0*1&force/.test(value)) return value;
      }
      return trickySegment(rng);
    })
    .join('/');
}

/** Anything outside printable ASCII is percent-encoded, as any HTTP client would send it. */
function wireSafe(url: string): string {
  return url.replace(/[^\x21-\x7e]/gu, encodeLoose);
}

const globalFields = ['name', 'email', 'password', 'new_password', 'current_password', 'permissions', 'priority', 'expire', 'session_timeout', 'value', 'protected', 'Value', 'Protected', 'meta', 'protected_meta', 'users', 'organization_id', 'organisations', 'assigned_installations', 'installation_id', 'type', 'parent', 'role', 'challenge', 'code', 'token', 'timezone', 'notes'];

interface Built {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

function buildBody(rng: Prng, op: Operation): { body?: string | Buffer; json: boolean } {
  const keys = [...op.fields.map(([n]) => n), ...globalFields];
  const r = rng.next();
  if (r < 0.08) return { json: true };
  if (r < 0.38) {
    // The route's own fields, each of a wrong type (sometimes a right one).
    const obj: Record<string, unknown> = {};
    for (const [name, type] of op.fields.length ? op.fields : globalFields.map((n) => [n, undefined] as const)) if (rng.chance(0.6)) obj[name] = wrongTypeFor(rng, type, keys);
    return { body: JSON.stringify(obj), json: true };
  }
  if (r < 0.48) {
    // Right shapes with hostile strings, to get past the type checks.
    const obj: Record<string, unknown> = {};
    for (const [name, type] of op.fields) {
      if (!rng.chance(0.7)) continue;
      if (type === 'string') obj[name] = rng.chance(0.15) ? hugeString(rng) : randomString(rng);
      else if (type === 'integer' || type === 'number') obj[name] = rng.pick([0, -1, 1, 2 ** 31, 2 ** 53, 1e300, 1.5, Number(valid.installation[0])]);
      else if (type === 'object') obj[name] = { [randomString(rng, 10)]: randomString(rng) };
      else if (type === 'array') obj[name] = [rng.int(-5, 5), rng.pick([2 ** 31, 1.5, -0])];
      else obj[name] = randomJson(rng, 2, keys);
    }
    return { body: JSON.stringify(obj), json: true };
  }
  if (r < 0.78) return { body: JSON.stringify(randomJson(rng, undefined, keys)) ?? 'null', json: true };
  if (r < 0.82) return { body: JSON.stringify({ [rng.pick(keys)]: hugeString(rng) }), json: true };
  if (r < 0.97) return { body: nonJsonBody(rng), json: false };
  return { body: Buffer.from(Array.from({ length: rng.int(1, 2048) }, () => rng.int(0, 255))), json: false };
}

function credentials(rng: Prng): Record<string, string> {
  const r = rng.next();
  if (r < 0.78) return { 'X-API-Key': adminKey };
  if (r < 0.82) return { Authorization: `Bearer ${adminKey}` };
  if (r < 0.86) return { Authorization: LynxHttp.basic(randomString(rng, 8).replace(/[^\x20-\x7e]/g, '') || 'x', adminKey) };
  if (r < 0.93) return {};
  const junk = (randomString(rng, 60) + 'x'.repeat(rng.chance(0.1) ? 4000 : 0)).replace(/[^\x20-\x7e]/g, '') || 'x';
  return rng.pick<Record<string, string>>([
    { 'X-API-Key': junk },
    { Authorization: `Bearer ${junk}` },
    { Authorization: `Basic ${junk}` },
    { Authorization: LynxHttp.basic('nobody@example.com', junk) },
    { Authorization: `Basic ${Buffer.from(junk).toString('base64')}` },
    { Authorization: junk },
    { Authorization: 'Basic' },
    { 'X-API-Key': '' },
  ]);
}

function build(rng: Prng, op: Operation): Built {
  const url = wireSafe(fillPath(rng, op) + randomQuery(rng, [...op.queryNames, ...knownQueryNames]));
  // Logging out would revoke the key every other request uses.
  const headers = op.method === 'DELETE' && op.path === '/api/v2/auth' ? {} : credentials(rng);
  const built: Built = { method: op.method, url, headers };
  if (op.method === 'GET' || (op.method === 'DELETE' && rng.chance(0.8))) return built;
  const { body, json } = buildBody(rng, op);
  built.body = body;
  const type = json && rng.chance(0.5) ? undefined : rng.pick(['application/json', 'text/plain', 'application/json; charset=utf-16', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=zz', 'application/octet-stream', '%%%', 'application/json', 'application/json']);
  if (type) built.headers = { ...built.headers, 'Content-Type': type };
  return built;
}

// ---------------------------------------------------------------------------------------------
// Sending: node:http, so paths go out exactly as built (fetch would resolve `..` and `%2e%2e`).
// ---------------------------------------------------------------------------------------------
// No keep-alive: a connection the server closes after one bad request must not fail the next one.
const agent = new http.Agent({ keepAlive: false });

function send(req: Built): Promise<{ status: number; text: string }> {
  const target = new URL(server.httpUrl);
  // Node frames a DELETE body only when told its length; unframed bytes would read as a new request.
  const headers = req.body === undefined ? req.headers : { ...req.headers, 'Content-Length': String(Buffer.byteLength(req.body)) };
  return new Promise((resolve, reject) => {
    const r = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    r.end(req.body);
  });
}

const preview = (value: string | Buffer | undefined, max: number) => {
  if (value === undefined) return '(none)';
  const text = typeof value === 'string' ? value : `<${value.length} bytes> ${value.toString('hex')}`;
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…(${text.length} chars)` : text);
};

function problemWith(status: number, text: string): string | null {
  if (status < 100) return 'no HTTP answer';
  if (status >= 500) return 'server error';
  if (status < 400) return null;
  try {
    const parsed = JSON.parse(text) as { message?: unknown } | null;
    if (typeof parsed?.message === 'string') return null;
  } catch {
    // falls through
  }
  return `${status} without a JSON {message}`;
}

describe(`randomized malformed input (seed ${seed}, ${roundsPerRoute} requests per route; LYNX_FUZZ_SEED=${seed} repeats it)`, () => {
  it('never answers 5xx, always explains a 4xx, and keeps serving', async () => {
    console.log(`fuzz-rest: seed=${seed} rounds=${roundsPerRoute} (LYNX_FUZZ_SEED / LYNX_FUZZ_ROUNDS)`);
    const rng = new Prng(seed);
    const ops = operationsOf(expectOk(await admin.get('/docs/json')));
    expect(ops.length).toBeGreaterThan(50);
    const problems: string[] = [];
    const statuses = new Map<number, number>();
    let lostKeyAfter: string | null = null;
    for (let round = 0; round < roundsPerRoute; round++) {
      for (const op of ops) {
        const req = build(rng, op);
        let res: { status: number; text: string };
        try {
          res = await send(req);
        } catch (err) {
          // The server may answer a bad URL before reading the body and close the connection, so a
          // client still writing a large body sees EPIPE; that is fine as long as it still serves.
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'EPIPE' && req.body !== undefined && (await admin.get('/api/v2/ping')).status === 200) continue;
          res = { status: 0, text: `connection failed: ${(err as Error).message}` };
        }
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const problem = problemWith(res.status, res.text);
        if (problem) {
          problems.push(`${problem}: ${req.method} ${preview(req.url, 300)} headers=${preview(JSON.stringify(req.headers), 120)} body=${preview(req.body, 200)} -> ${res.status} ${preview(res.text, 200)}`);
        }
        // A route that wrongly revokes the caller would silently turn the rest into 401s.
        if (res.status === 401 && req.headers['X-API-Key'] === adminKey && !lostKeyAfter) {
          if ((await admin.get('/api/v2/user/me')).status === 401) lostKeyAfter = `${req.method} ${req.url} body=${preview(req.body, 200)}`;
        }
      }
    }
    console.log(`fuzz-rest: ${[...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ')}`);
    expect(problems, `seed=${seed}: ${problems.length} bad answers`).toEqual([]);
    expect(lostKeyAfter, `seed=${seed}: the admin key stopped working`).toBeNull();
    // Enough of the requests got past authentication and the id checks to reach handlers.
    expect((statuses.get(200) ?? 0) + (statuses.get(400) ?? 0)).toBeGreaterThan(ops.length * roundsPerRoute * 0.3);
  }, 600_000);

  it('is still alive: answers ping and stores what is published over MQTT', async () => {
    const ping = await new LynxHttp(server.httpUrl).get('/api/v2/ping');
    expect(ping.status).toBe(200);
    const sentinel = expectOk(await admin.post('/api/v2/installation', { name: 'after the fuzzing' }));
    const c = await connectMqtt(server.mqttUrl, { username: 'apikey', password: adminKey, clientId: `fuzz-${seed}` });
    try {
      await publishAsync(c, `${sentinel.client_id}/obj/fuzz/alive`, { value: 12.5 }, 1);
      const [entry] = await eventually(async () => {
        const rows = expectOk(await admin.get<{ value: number }[]>(`/api/v2/status/${sentinel.id}?topics=obj/fuzz/alive`));
        return rows.length ? rows : null;
      });
      expect(entry.value).toBe(12.5);
    } finally {
      c.end(true);
    }
  });
});
