// The server bundle (scripts/bundle.mjs) runs on its own: copied to a folder outside the repository,
// started from there with plain `node server.mjs`, it migrates a new database, serves the API, the
// MQTT bus and the admin UI, and stops cleanly on SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { createInterface } from 'node:readline';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../src/aam/store/test-helpers.js';
import { ensureBundle } from './helpers/bundle.js';
import { createInstallation } from './helpers/fixtures.js';
import { expectOk, LynxHttp } from './helpers/lynx-http.js';
import { connectMqtt, eventually, publishAsync } from './helpers/mqtt-client.js';
import { writeManifest } from '../scripts/bundle.mjs';

const password = 'bundle-test-password';
let work: string;
let bundle: string;
let database: TestDatabase;
let child: ChildProcess;
let exited: Promise<number | string | null>;
let httpUrl: string;
let mqttUrl: string;
const stdout: string[] = [];
const stderr: string[] = [];
let device: MqttClient | undefined;

async function filesOf(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'));
}

function run(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((res) => {
    const c = spawn(process.execPath, [join(bundle, 'server.mjs'), ...args], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (out += d));
    c.on('exit', (code) => res({ code, out }));
  });
}

beforeAll(async () => {
  const started = performance.now();
  const built = await ensureBundle();
  // Seen by whoever runs the suite: the build is on the critical path of every bundle test file.
  console.log(`bundle ready in ${Math.round(performance.now() - started)} ms (${built})`);
  // Outside the repository, so nothing can resolve from its node_modules.
  work = await mkdtemp(join(tmpdir(), 'lynx-bundle-test-'));
  bundle = join(work, 'lynx-server');
  await cp(built, bundle, { recursive: true });
  const dataDir = join(work, 'data');
  database = await createTestDatabase(join(dataDir, 'aam.db'));
  // Only what a desktop app or a service manager would pass: no NODE_PATH, no repo variables.
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LYNX_ADMIN_PASSWORD: password,
    LYNX_LOG_LEVEL: 'warn',
    LYNX_DATABASE_URL: database.url,
  };
  child = spawn(process.execPath, [join(bundle, 'server.mjs'), '--data-dir', dataDir, '--http-port', '0', '--mqtt-port', '0', '--host', '127.0.0.1'], {
    cwd: work,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));
  exited = new Promise((res) => child.once('exit', (code, sig) => res(code ?? `signal ${sig}`)));
  const ready = await new Promise<RegExpExecArray>((res, rej) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      stdout.push(line);
      const m = /^lynx-server ready http=(http:\/\/\S+) mqtt=(mqtt:\/\/\S+)$/.exec(line);
      if (m) res(m);
    });
    void exited.then((code) => rej(new Error(`bundle exited with ${code} before ready: ${stderr.join('\n')}`)));
  });
  [, httpUrl, mqttUrl] = ready;
});

afterAll(async () => {
  device?.end(true);
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await database?.drop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('server bundle', () => {
  it('lists every file with its sha256 in the manifest', async () => {
    const manifest = JSON.parse(await readFile(join(bundle, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ name: 'lynx-server', entry: 'server.mjs', node: '>=20.19.0', platform: `${process.platform}-${process.arch}` });
    const files = (await filesOf(bundle)).filter((f) => f !== 'manifest.json').sort();
    expect(Object.keys(manifest.files).sort()).toEqual(files);
    for (const f of files) expect(manifest.files[f], f).toBe(createHash('sha256').update(await readFile(join(bundle, f))).digest('hex'));
    for (const part of ['server.mjs', 'package.json', 'ui/index.html']) expect(files).toContain(part);
    expect(files.some((f) => f.startsWith('migrations/sqlite/') && f.endsWith('/migration.sql'))).toBe(true);
    expect(files.some((f) => f.startsWith('migrations/postgresql/') && f.endsWith('/migration.sql'))).toBe(true);
  });

  it('answers ping, logins and the admin UI at /', async () => {
    expect(expectOk(await new LynxHttp(httpUrl).get('/api/v2/ping'))).toEqual({ message: 'pong' });
    const { client } = await new LynxHttp(httpUrl).login('admin@lynx.local', password);
    expect(expectOk(await client.get('/api/v2/user/me'))).toMatchObject({ email: 'admin@lynx.local' });
    const ui = await fetch(`${httpUrl}/`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('<div id="root">');
    // swagger-ui's own files, relocated to vendor/ in the bundle.
    expect((await fetch(`${httpUrl}/docs/static/index.html`)).status).toBe(200);
    expect(expectOk(await new LynxHttp(httpUrl).get<{ openapi: string }>('/docs/json')).openapi).toMatch(/^3\./);
  });

  it('stores what a device publishes over MQTT', async () => {
    const { client, token } = await new LynxHttp(httpUrl).login('admin@lynx.local', password);
    const inst = await createInstallation(client, 'Bundled');
    device = await connectMqtt(mqttUrl, { username: 'apikey', password: token, clientId: 'bundle-device' });
    await publishAsync(device, `${inst.client_id}/obj/bundle/temperature`, { value: 21.5, timestamp: 1_700_000_000 }, 1);
    const status = await eventually(async () => {
      const rows = expectOk(await client.get<{ value: number }[]>(`/api/v2/status/${inst.id}?topics=obj/bundle/temperature`));
      return rows.length ? rows : null;
    });
    expect(status).toMatchObject([{ topic: 'obj/bundle/temperature', value: 21.5 }]);
  });

  it('runs edge apps in their worker thread (lua-worker.js beside the entry)', async () => {
    const { client } = await new LynxHttp(httpUrl).login('admin@lynx.local', password);
    const inst = await createInstallation(client, 'Edge');
    const app = expectOk(await client.post<{ id: number }>('/api/v2/edge/app', { name: 'ticker', short_description: 'ticker' }));
    const fixture = new URL('./fixtures/edge-apps/ticker/', import.meta.url);
    const form = new FormData();
    form.append('app_lua', new Blob([await readFile(new URL('app.lua', fixture))]), 'app.lua');
    form.append('app_json', new Blob([await readFile(new URL('app.json', fixture))]), 'app.json');
    const upload = await fetch(`${httpUrl}/api/v2/edge/app/${app.id}/version`, { method: 'POST', headers: client.headers, body: form });
    expect(upload.status).toBe(200);
    const { hash } = (await upload.json()) as { hash: string };
    const config = { interval: 0.1, topic: 'obj/edge/tick' };
    expectOk(await client.post(`/api/v2/edge/app/configured/${inst.id}`, { app_id: app.id, installation_id: inst.id, version: hash, config, name: 'ticker' }));
    await eventually(async () => expectOk(await client.get<{ value: number }[]>(`/api/v2/status/${inst.id}?topics=obj/edge/tick`))[0]?.value >= 2, 20_000);
  });

  it('shuts down with exit code 0 on SIGTERM', async () => {
    device?.end(true);
    device = undefined;
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toEqual([]);
  });

  it('prints its version, also after the bundle is re-signed with another one', async () => {
    const serverPkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
    expect(await run(['--version'])).toEqual({ code: 0, out: `lynx-server ${serverPkg.version}\n` });
    // With another flag it is the server's own CLI (cli/main.ts) that answers, not the entry's shortcut.
    expect(await run(['--log-level', 'warn', '--version'])).toEqual({ code: 0, out: `lynx-server ${serverPkg.version}\n` });
    // The running copy has stopped (previous test): it can be re-signed in place.
    const copy = bundle;
    const manifest = await writeManifest(copy, { version: '9.8.7' });
    expect(manifest.version).toBe('9.8.7');
    const out = await new Promise<string>((res) => {
      const c = spawn(process.execPath, [join(copy, 'server.mjs'), '--version'], { cwd: work, stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      c.stdout.on('data', (d) => (text += d));
      c.on('exit', () => res(text));
    });
    expect(out).toBe('lynx-server 9.8.7\n');
  });
});
