// Backup while a device publishes QoS 1, restore into a fresh data folder, and a server started
// on it answers the same AAM rows and at least every point acknowledged before the backup began.
// Restore is refused while a server runs on the folder, and a damaged archive changes nothing.
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { list } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../src/aam/store/test-helpers.js';
import { createAssignedUser, createInstallation, type InstallationRef } from './helpers/fixtures.js';
import { expectOk, LynxHttp } from './helpers/lynx-http.js';
import { connectMqtt, eventually, publishAsync } from './helpers/mqtt-client.js';
import { makeDataDir, removeDataDir, runCli, startServerProcess, type ServerProcess } from './helpers/server-process.js';

const t0 = 1_700_000_000;

/** manifest.json of an archive, read without unpacking the rest. */
async function manifestOf(file: string): Promise<any> {
  let text = '';
  await list({
    file,
    onReadEntry: (entry) => {
      if (entry.path === 'manifest.json') entry.on('data', (d: Buffer) => (text += d.toString()));
    },
  });
  return JSON.parse(text);
}

async function tree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const path = join(e.parentPath, e.name);
    out[path.slice(dir.length)] = e.isFile() ? createHash('sha256').update(await readFile(path)).digest('hex') : e.isSocket() ? 'socket' : 'dir';
  }
  return out;
}

async function logTotal(api: LynxHttp, inst: InstallationRef, topic: string): Promise<number> {
  const page = expectOk(await api.get<{ total: number }>(`/api/v3beta/log/${inst.id}?from=${t0 - 10}&to=${t0 + 1_000_000}&limit=1&offset=0&order=asc&include_total=true&topics=${topic}`));
  return page.total;
}

let first: ServerProcess | undefined;
let second: ServerProcess | undefined;
let work: string;
/** The AAM database of the restored folder (on PostgreSQL a database of its own). */
let freshDb: TestDatabase | undefined;

beforeAll(async () => {
  work = await makeDataDir();
});

afterAll(async () => {
  await first?.stop();
  await second?.stop();
  for (const s of [first, second]) if (s) await removeDataDir(s.dataDir);
  if (work) await removeDataDir(work);
  await freshDb?.drop();
});

describe('backup and restore', () => {
  it('backs up while publishing, refuses restores that would harm, restores into a fresh folder', async () => {
    first = await startServerProcess();
    const { client: admin } = await new LynxHttp(first.httpUrl).login(first.adminEmail, first.adminPassword);
    const inst = await createInstallation(admin, 'Backed up', { meta: { site: 'north' } });
    expectOk(await admin.post(`/api/v2/devicex/${inst.id}`, { type: 'sensor', meta: { name: 'probe' } }));
    const token = expectOk(await admin.post<{ token: string }>('/api/v2/user/me/security/token', { name: 'device' })).token;
    const device = await connectMqtt(first.mqttUrl, { username: 'apikey', password: token, clientId: 'device-1' });
    await publishAsync(device, `${inst.client_id}/obj/kept`, { value: 7, timestamp: t0 }, 1, true);

    // A QoS 1 stream runs before, during and after the backup; `acked` counts PUBACKs.
    let acked = 0;
    let publishing = true;
    const stream = (async () => {
      for (let i = 0; publishing; i++) {
        await publishAsync(device, `${inst.client_id}/obj/stream`, { value: i, timestamp: t0 + 1 + i }, 1);
        acked++;
      }
    })();
    await eventually(async () => acked >= 100);
    const ackedBefore = acked;
    const archive = join(work, 'live.tar.gz');
    const backup = await runCli(['backup', archive], { LYNX_DATA_DIR: first.dataDir });
    const ackedAfter = acked;
    publishing = false;
    await stream;
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(new RegExp(`^lynx-server backup ${archive} \\d+ bytes \\(server running\\): \\d+ AAM rows, \\d+ time-series points in 2 series, \\d+ broker keys, 0 files\\n$`));

    const manifest = await manifestOf(archive);
    expect(manifest).toMatchObject({ format: 'lynx-backup', formatVersion: 1, live: true });
    const backedUp = manifest.counts.timeSeries.pointsByInstallation[inst.id];
    // Every point acknowledged before the request is in (plus the retained one); none beyond those acknowledged after it (+1 in flight).
    expect(backedUp).toBeGreaterThanOrEqual(ackedBefore + 1);
    expect(backedUp).toBeLessThanOrEqual(ackedAfter + 2);
    expect(manifest.counts.aamRows).toMatchObject({ Installation: 1, Device: 1 });
    expect(manifest.counts.broker.keys).toBeGreaterThan(0);

    // As backed up (the user created below is not in the archive).
    const installations = expectOk(await admin.get<{ id: number; name: string }[]>('/api/v2/installation'));

    // Server administrators can ask over tRPC too; the archive lands in <dataDir>/backups/.
    const trpc = async (key: string) =>
      fetch(`${first!.httpUrl}/trpc/system.backup`, { method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json' }, body: '{}' });
    const viaTrpc = await trpc(token);
    expect(viaTrpc.status).toBe(200);
    const made = ((await viaTrpc.json()) as { result: { data: { file: string; aam_rows: number } } }).result.data;
    expect(made.file.startsWith(join(first.dataDir, 'backups', 'lynx-backup-'))).toBe(true);
    expect((await manifestOf(made.file)).counts.aamRows.Installation).toBe(1);
    const user = await createAssignedUser(admin, 'viewer@example.com', [inst.id]);
    expect((await trpc(user.token)).status).toBe(403);

    const refused = await runCli(['restore', archive], { LYNX_DATA_DIR: first.dataDir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^lynx-server: restore failed: a server is running on .* \(pid \d+\): stop it before restoring\n$/);

    device.end(true);
    expect(await first.stop()).toBe(0);

    // A damaged archive leaves the stopped server's folder byte for byte as it was.
    const bytes = await readFile(archive);
    const damaged = join(work, 'damaged.tar.gz');
    const flipped = Buffer.from(bytes);
    flipped[Math.floor(bytes.length / 2)] ^= 0x04;
    await writeFile(damaged, flipped);
    const before = await tree(first.dataDir);
    const bad = await runCli(['restore', damaged], { LYNX_DATA_DIR: first.dataDir });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^lynx-server: restore failed: .*(damaged|checksum).*\n$/);
    expect(await tree(first.dataDir)).toEqual(before);

    const fresh = join(work, 'restored');
    freshDb = await createTestDatabase(join(fresh, 'aam.db'));
    const restored = await runCli(['restore', archive, '--data-dir', fresh], { LYNX_DATABASE_URL: freshDb.url });
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    expect(restored.stdout).toMatch(/^lynx-server restored .* into .*restored: \d+ AAM rows/);

    second = await startServerProcess({ dataDir: fresh, env: { LYNX_DATABASE_URL: freshDb.url } });
    expect(second.stdout.some((l) => l.includes('first start'))).toBe(false);
    const api = new LynxHttp(second.httpUrl).withKey(token);
    expect(expectOk(await api.get('/api/v2/installation'))).toEqual(installations);
    expect(expectOk(await api.get<unknown[]>(`/api/v2/devicex/${inst.id}`))).toHaveLength(manifest.counts.aamRows.Device);
    expect(await logTotal(api, inst, 'obj/stream')).toBe(backedUp - 1);
    expect(await logTotal(api, inst, 'obj/kept')).toBe(1);

    const late = await connectMqtt(second.mqttUrl, { username: 'apikey', password: token, clientId: 'late' });
    const retained: string[] = [];
    late.on('message', (_t, payload, packet) => packet.retain && retained.push(payload.toString()));
    await late.subscribeAsync(`${inst.client_id}/obj/kept`, { qos: 1 });
    await eventually(async () => retained.length > 0);
    expect(JSON.parse(retained[0]).value).toBe(7);
    late.end(true);
    expect(await second.stop()).toBe(0);
  });
});
