// The supervisor against the real server bundle: first run, crash restart, backup and restore,
// upgrade and rollback, graceful stop; and the start failures that must end as `failed` with a
// reason instead of a crash loop. One installation is carried through the first block (cheaper
// than a fresh server per case), so its cases run in order.
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePid } from './orphan.js';
import { serverCommand } from './server-process.js';
import { SettingsStore } from './settings-store.js';
import { Supervisor, type SupervisorOptions } from './supervisor.js';
import { addMigration, api, baseBundle, crashingBundle, derivedBundle, login, removeDirs, tempDir } from './supervisor.test-helpers.js';
import type { DesktopSettings, ServerStatus } from './types.js';

const password = 'supervisor-test-password';
const fast: Partial<SupervisorOptions> = {
  crashPolicy: { maxCrashes: 3, windowMs: 60_000, baseDelayMs: 50, maxDelayMs: 200 },
  readyTimeoutMs: 30_000,
  stopTimeoutMs: 10_000,
  commandTimeoutMs: 60_000,
  minFreeBytes: 1024 * 1024,
};

function settingsFor(dataDir: string, patch: Partial<DesktopSettings> = {}): DesktopSettings {
  return {
    dataDir,
    httpPort: 0,
    mqttPort: 0,
    host: '127.0.0.1',
    database: { kind: 'sqlite' },
    adminEmail: 'admin@lynx.local',
    autostartServer: true,
    openAtLogin: false,
    ...patch,
  };
}

function waitForStatus(sup: Supervisor, ok: (s: ServerStatus) => boolean, timeoutMs = 30_000): Promise<ServerStatus> {
  if (ok(sup.status())) return Promise.resolve(sup.status());
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`status not reached within ${timeoutMs} ms: ${JSON.stringify(sup.status())}`));
    }, timeoutMs);
    const off = sup.onStatus((s) => {
      if (!ok(s)) return;
      clearTimeout(timer);
      off();
      resolve(s);
    });
  });
}

async function sqliteTables(dataDir: string): Promise<string[]> {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(join(dataDir, 'aam.db'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[]).map((r) => r.name);
  } finally {
    db.close();
  }
}

const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => {});
});

let base: string;
beforeAll(async () => {
  base = await baseBundle();
}, 120_000);

describe('a supervised installation', () => {
  let sup: Supervisor;
  let configDir: string;
  let dataDir: string;
  let token: string;
  let installation: { id: number; client_id: number };
  let devices: { id: number }[];

  const listDevices = async (s: Supervisor, key = token) => (await api<{ id: number; meta: Record<string, string> }[]>(s.status().httpUrl!, 'GET', `/api/v2/devicex/${installation.id}`, { token: key })).map((d) => ({ id: d.id, name: d.meta.name }));

  it('first run installs the bundle, starts the server and reports it healthy', async () => {
    configDir = await tempDir('config');
    dataDir = await tempDir('data');
    cleanup.push(() => removeDirs(configDir, dataDir));
    sup = await Supervisor.create({ configDir, bundleSource: base, ...fast });
    cleanup.push(() => sup.dispose());
    expect(sup.isFirstRun()).toBe(true);
    expect(sup.status().state).toBe('not-installed');

    const status = await sup.firstRun(settingsFor(dataDir), password);
    expect(status).toMatchObject({ state: 'running', version: '0.1.0', restarts: 0, reason: null });
    expect(sup.isFirstRun()).toBe(false);
    expect(await api(status.httpUrl!, 'GET', '/api/v2/ping')).toEqual({ message: 'pong' });

    token = await login(status.httpUrl!, 'admin@lynx.local', password);
    installation = await api(status.httpUrl!, 'POST', '/api/v2/installation', { token, body: { name: 'Plant' } });
    for (const name of ['boiler', 'pump']) {
      await api(status.httpUrl!, 'POST', `/api/v2/devicex/${installation.id}`, { token, body: { type: 'sensor', installation_id: installation.id, meta: { name } } });
    }
    devices = await listDevices(sup);
    expect(devices).toHaveLength(2);
    // The password went to the first start only.
    expect(JSON.stringify(sup.settings())).not.toContain(password);
  });

  it('restarts a server killed with SIGKILL, and its data is intact', async () => {
    const before = sup.status();
    process.kill(before.pid!, 'SIGKILL');
    const again = await waitForStatus(sup, (s) => s.state === 'running' && s.pid !== before.pid);
    expect(again.restarts).toBe(1);
    expect(again.lastExitCode).toBe(null); // died of a signal
    expect(await listDevices(sup)).toEqual(devices);
    expect((await sup.logTail(200)).some((l) => l.includes('stopped unexpectedly (killed by SIGKILL)'))).toBe(true);
  });

  it('passes its diagnostics', async () => {
    const results = await sup.diagnostics();
    expect(results.map((d) => d.id).sort()).toEqual(['bundle-integrity', 'data-folder', 'database', 'disk-space', 'port-http', 'port-mqtt']);
    for (const d of results) expect(d, d.id).toMatchObject({ passed: true, fixes: [] });
    expect(results.find((d) => d.id === 'database')!.applicable).toBe(false);
  });

  it('saves settings, and restarts the server only when a setting it uses changed', async () => {
    const before = sup.status();
    expect((await sup.updateSettings({ openAtLogin: true })).openAtLogin).toBe(true);
    expect(sup.status().pid).toBe(before.pid);
    const port = await freePort();
    await sup.updateSettings({ httpPort: port });
    expect(sup.status()).toMatchObject({ state: 'running', httpUrl: `http://127.0.0.1:${port}` });
    expect(sup.status().pid).not.toBe(before.pid);
    expect(await listDevices(sup)).toEqual(devices);
    await expect(sup.updateSettings({ mqttPort: port })).rejects.toThrow(/mqttPort: the HTTP and MQTT ports must differ/);
    const reloaded = await Supervisor.create({ configDir, ...fast });
    expect(reloaded.settings()).toMatchObject({ httpPort: port, openAtLogin: true });
    // The port stays fixed from here on: the server left running in a later case then really holds it.
  });

  it('backs up under live MQTT ingest; the backup restores into a fresh installation', async () => {
    const client = await mqtt.connectAsync(sup.status().mqttUrl!, { username: 'apikey', password: token, reconnectPeriod: 0, protocolVersion: 4 });
    let acked = 0;
    let publishing = true;
    const loop = (async () => {
      for (let i = 0; publishing; i++) {
        await client.publishAsync(`${installation.client_id}/obj/live`, JSON.stringify({ value: i, timestamp: 1_700_000_000 + i }), { qos: 1 });
        acked++;
        // Live, not flat out: a publisher saturating the CPU would only slow the test down.
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    while (acked < 20) await new Promise((r) => setTimeout(r, 10));
    const ackedBefore = acked;
    const backup = await sup.backup();
    const ackedAfter = acked;
    publishing = false;
    await loop;
    await client.endAsync();
    expect(backup.bytes).toBeGreaterThan(0);
    expect(backup.file.startsWith(join(dataDir, 'backups'))).toBe(true);

    const configDir2 = await tempDir('config2');
    const dataDir2 = await tempDir('data2');
    cleanup.push(() => removeDirs(configDir2, dataDir2));
    const fresh = await Supervisor.create({ configDir: configDir2, bundleSource: base, ...fast });
    cleanup.push(() => fresh.dispose());
    expect((await fresh.firstRun(settingsFor(dataDir2), 'another-password-123')).state).toBe('running');
    const restored = await fresh.restore(backup.file);
    expect(restored.state).toBe('running');

    const key = await login(restored.httpUrl!, 'admin@lynx.local', password);
    expect(await listDevices(fresh, key)).toEqual(devices);
    const log = await api<{ total: number }>(restored.httpUrl!, 'GET', `/api/v3beta/log/${installation.id}?topics=obj/live&from=1699999999&to=1800000000&limit=1`, { token: key });
    expect(log.total).toBeGreaterThanOrEqual(ackedBefore);
    expect(log.total).toBeLessThanOrEqual(ackedAfter);
    await fresh.dispose();
  });

  it('upgrades to the newer server an updated app ships, on start: backup, migration, data intact', async () => {
    const newer = await derivedBundle(base, '0.2.0', (dir) => addMigration(dir, '99990101000000_upgrade_probe', 'CREATE TABLE "UpgradeProbe" ("id" INTEGER);\n'));
    cleanup.push(() => removeDirs(newer));
    // The app quits and comes back updated, with a newer bundle in its resources.
    await sup.dispose();
    sup = await Supervisor.create({ configDir, bundleSource: newer, ...fast });
    cleanup.push(() => sup.dispose());
    expect(sup.status()).toMatchObject({ state: 'stopped', version: '0.1.0' });

    const status = await sup.start();
    expect(status).toMatchObject({ state: 'running', version: '0.2.0' });
    expect(await listDevices(sup)).toEqual(devices);
    expect(await sqliteTables(dataDir)).toContain('UpgradeProbe');
    const backups = await readdir(join(dataDir, 'backups'));
    expect(backups.some((f) => /^before-upgrade-0\.1\.0-to-0\.2\.0-.*\.tar\.gz$/.test(f))).toBe(true);
    await expect(sup.upgrade(newer)).rejects.toThrow(/not newer/);
  });

  it('rolls back a newer bundle whose server fails at start: old version running, nothing lost', async () => {
    // A migration that fails halfway: the first statement may already be applied when the server exits.
    const broken = await derivedBundle(base, '0.3.0', async (dir) => {
      await addMigration(dir, '99990101000000_upgrade_probe', 'CREATE TABLE "UpgradeProbe" ("id" INTEGER);\n');
      await addMigration(dir, '99990102000000_broken', 'CREATE TABLE "RollbackProbe" ("id" INTEGER);\nINSERT INTO "NoSuchTable" VALUES (1);\n');
    });
    cleanup.push(() => removeDirs(broken));
    const result = await sup.upgrade(broken);
    expect(result).toMatchObject({ from: '0.2.0', to: '0.3.0', outcome: 'rolled-back' });
    expect(result.reason).toBeTruthy();
    expect(sup.status()).toMatchObject({ state: 'running', version: '0.2.0' });
    expect(await listDevices(sup)).toEqual(devices);
    const tables = await sqliteTables(dataDir);
    expect(tables).toContain('UpgradeProbe');
    expect(tables).not.toContain('RollbackProbe');
  });

  it('stops gracefully: exit code 0 after the server flushed and closed its stores', async () => {
    // Acknowledged just before the stop: must be on disk when the server comes back (next case).
    const client = await mqtt.connectAsync(sup.status().mqttUrl!, { username: 'apikey', password: token, reconnectPeriod: 0, protocolVersion: 4 });
    for (let i = 0; i < 50; i++) await client.publishAsync(`${installation.client_id}/obj/flushed`, JSON.stringify({ value: i, timestamp: 1_700_100_000 + i }), { qos: 1 });
    await client.endAsync();
    const stopped = await sup.stop();
    expect(stopped).toMatchObject({ state: 'stopped', lastExitCode: 0, pid: null, reason: null });
    const tail = await sup.logTail(20);
    // Asked on the control socket (the way that also works on Windows), not by a signal.
    expect(tail.some((l) => l.includes('shutdown requested on the control socket'))).toBe(true);
    expect(tail.some((l) => l.includes('shutdown complete'))).toBe(true);
  });

  it('stops a server that an earlier run of the app left running, then starts its own', async () => {
    const version = sup.status().version!;
    const { args, env } = serverCommand({ bundleDir: join(dataDir, 'server', 'versions', version), entry: 'server.mjs', settings: sup.settings() });
    const orphan = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'ignore'] });
    const orphanExit = new Promise<number | null>((r) => orphan.once('exit', (code) => r(code)));
    await new Promise<void>((resolve) => createInterface({ input: orphan.stdout! }).on('line', (l) => l.startsWith('lynx-server ready') && resolve()));
    await writePid(join(dataDir, 'server'), orphan.pid!);

    const status = await sup.start();
    expect(status.state).toBe('running');
    expect(await orphanExit).toBe(0); // asked to stop, it shut down cleanly
    expect((await sup.logTail(100)).some((l) => l.includes(`stopped server process ${orphan.pid} left running`))).toBe(true);
    expect(await listDevices(sup)).toEqual(devices);
    const flushed = await api<{ total: number }>(status.httpUrl!, 'GET', `/api/v3beta/log/${installation.id}?topics=obj/flushed&from=1700099999&to=1800000000&limit=1`, { token });
    expect(flushed.total).toBe(50);
    expect((await sup.stop()).lastExitCode).toBe(0);
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

describe('start failures', () => {
  /** A supervisor with fresh config and data folders that ships `bundle`; all removed after the test. */
  async function supervisorOn(bundle: string): Promise<{ sup: Supervisor; configDir: string; dataDir: string }> {
    const configDir = await tempDir('config');
    const dataDir = await tempDir('data');
    cleanup.push(() => removeDirs(bundle, configDir, dataDir));
    const sup = await Supervisor.create({ configDir, bundleSource: bundle, ...fast });
    cleanup.push(() => sup.dispose());
    return { sup, configDir, dataDir };
  }

  it('gives up on a server that crashes at start, with the reason and its last lines', async () => {
    const bundle = await crashingBundle('0.1.0', 'simulated start-up crash');
    const { sup, dataDir } = await supervisorOn(bundle);
    const seen = new Set<string>();
    sup.onStatus((s) => seen.add(s.state));
    const status = await sup.firstRun(settingsFor(dataDir), password);
    expect(status.state).toBe('failed');
    expect(status.reason).toMatch(/stopped 3 times within 1 minute/);
    expect(status.reason).toMatch(/simulated start-up crash/);
    expect(status.lastExitCode).toBe(1);
    expect(status.lastLines.join('\n')).toContain('simulated start-up crash');
    expect([...seen]).toEqual(expect.arrayContaining(['starting', 'restarting', 'failed']));
    expect((await sup.logTail(500)).filter((l) => l.includes('starting server'))).toHaveLength(3);
  });

  it('names a port held by another program and does not start a crash loop', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise((r) => blocker.close(r)));
    const port = (blocker.address() as { port: number }).port;
    const bundle = await crashingBundle('0.1.0', 'must never be started');
    const { sup, configDir, dataDir } = await supervisorOn(bundle);

    const status = await sup.firstRun(settingsFor(dataDir, { httpPort: port }), password);
    expect(status).toMatchObject({ state: 'failed', restarts: 0, pid: null, lastExitCode: null });
    expect(status.reason).toBe(`Port ${port} (HTTP) is already in use by another program on this computer.`);
    expect((await sup.logTail(100)).some((l) => l.includes('starting server'))).toBe(false);
    // No server ever started, so no admin user exists: the wizard (and its password) comes again.
    expect(sup.isFirstRun()).toBe(true);
    expect((await Supervisor.create({ configDir })).isFirstRun()).toBe(true);
    const ports = (await sup.diagnostics()).find((d) => d.id === 'port-http')!;
    expect(ports.passed).toBe(false);
    expect(ports.fixes[0]).toContain(`Port ${port} (HTTP) is used by another program`);
  });

  it('reports a PostgreSQL database that does not answer, without its password, and does not start', async () => {
    const port = await freePort();
    const bundle = await crashingBundle('0.1.0', 'must never be started');
    const { sup, dataDir } = await supervisorOn(bundle);
    const url = `postgresql://lynx:secret-pw@127.0.0.1:${port}/lynx`;
    const status = await sup.firstRun(settingsFor(dataDir, { database: { kind: 'postgres', url } }), password);
    expect(status).toMatchObject({ state: 'failed', restarts: 0, pid: null });
    expect(status.reason).toContain(`The PostgreSQL database at postgresql://lynx:***@127.0.0.1:${port}/lynx cannot be reached`);
    expect(status.reason).not.toContain('secret-pw');
    const db = (await sup.diagnostics()).find((d) => d.id === 'database')!;
    expect(db).toMatchObject({ applicable: true, passed: false });
  });

  it('refuses a data folder that cannot be written, before anything is saved', async () => {
    const configDir = await tempDir('config');
    cleanup.push(() => removeDirs(configDir));
    const notAFolder = join(configDir, 'file');
    await writeFile(notAFolder, 'x');
    const sup = await Supervisor.create({ configDir, ...fast });
    cleanup.push(() => sup.dispose());
    await expect(sup.firstRun(settingsFor(join(notAFolder, 'data')), password)).rejects.toThrow(/The data folder .* cannot be written/);
    expect(sup.isFirstRun()).toBe(true);
  });

  it('does not start on a data folder that has gone missing, and does not recreate it', async () => {
    const bundle = await crashingBundle('0.1.0', 'must never be started');
    const configDir = await tempDir('config');
    cleanup.push(() => removeDirs(bundle, configDir));
    const dataDir = join(configDir, 'unplugged-disk', 'lynx');
    await new SettingsStore(configDir).save(settingsFor(dataDir));
    const sup = await Supervisor.create({ configDir, bundleSource: bundle, ...fast });
    cleanup.push(() => sup.dispose());
    const status = await sup.start();
    expect(status).toMatchObject({ state: 'failed', reason: `The data folder ${dataDir} does not exist.`, pid: null });
    expect(existsSync(join(configDir, 'unplugged-disk'))).toBe(false);
    expect((await sup.diagnostics()).find((d) => d.id === 'data-folder')).toMatchObject({ passed: false });
  });
});
