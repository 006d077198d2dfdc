// The service on real stores in temp folders (no server): a backup restores to the same keys, rows
// and blobs; a damaged, tampered, foreign or too new archive is refused before the data folder changes.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Level } from 'level';
import { create, extract } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLevelStore } from '../tsdb/level-store.js';
import { BackupService, offlineSources, type DataLocation } from './backup-service.js';
import { DataFolderInUseError } from './level-kv.js';
import { readdirSync } from 'node:fs';
import { migrationsDir } from '../aam/store/open-store.js';

const service = new BackupService({ serverVersion: 'test' });
const latestMigration = readdirSync(migrationsDir('sqlite'), { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort()
  .at(-1)!;
const blob = Buffer.from('file bytes');
const blobHash = createHash('sha256').update(blob).digest('hex');

let root: string;
const loc = (dataDir: string): DataLocation => ({ dataDir, databaseUrl: `file:${join(dataDir, 'aam.db')}` });

/** A data folder a server could have left: SQLite AAM, time series, broker state and one blob. */
async function makeDataFolder(dir: string, opts: { orgs: number; migration?: string }): Promise<void> {
  await mkdir(dir, { recursive: true });
  const db = new Database(join(dir, 'aam.db'));
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('CREATE TABLE _prisma_migrations (migration_name TEXT, finished_at TEXT, rolled_back_at TEXT)');
  db.prepare('INSERT INTO _prisma_migrations VALUES (?, ?, NULL)').run(opts.migration ?? latestMigration, new Date().toISOString());
  db.exec('CREATE TABLE "Organization" (id INTEGER PRIMARY KEY, name TEXT)');
  for (let i = 0; i < opts.orgs; i++) db.prepare('INSERT INTO "Organization" (name) VALUES (?)').run(`org ${i}`);
  db.close();
  const tsdb = await openLevelStore(join(dir, 'tsdb'));
  await tsdb.append(Array.from({ length: 50 }, (_, i) => ({ installationId: 1 + (i % 2), topic: `obj/t${i % 3}`, timestamp: 1_700_000_000 + i, value: i, msg: '' })));
  await tsdb.close();
  const mqtt = new Level<string, Buffer>(join(dir, 'mqtt'), { valueEncoding: 'buffer' });
  await mqtt.batch([
    { type: 'put', key: 'retained:abc/obj/x', value: Buffer.from([1, 2, 3]) },
    { type: 'put', key: 'subscriptions:c1:abc/#', value: Buffer.from([4]) },
  ]);
  await mqtt.close();
  await mkdir(join(dir, 'files', blobHash.slice(0, 2)), { recursive: true });
  await writeFile(join(dir, 'files', blobHash.slice(0, 2), blobHash), blob);
}

/** Every file under `dir` with its sha256 (and every folder), to prove a folder unchanged. */
async function tree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const path = join(e.parentPath, e.name);
    out[path.slice(dir.length)] = e.isFile() ? createHash('sha256').update(await readFile(path)).digest('hex') : 'dir';
  }
  return out;
}

async function levelEntries(dir: string): Promise<string[]> {
  const db = new Level<Buffer, Buffer>(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer', createIfMissing: false });
  const out: string[] = [];
  for await (const [k, v] of db.iterator()) out.push(`${k.toString('hex')}=${v.toString('hex')}`);
  await db.close();
  return out;
}

function organizations(dir: string): string[] {
  const db = new Database(join(dir, 'aam.db'), { readonly: true });
  const rows = db.prepare('SELECT name FROM "Organization" ORDER BY id').pluck().all() as string[];
  db.close();
  return rows;
}

/** Unpacks an archive, lets `edit` change the folder, packs it again (every entry, as found). */
async function rewrite(archive: string, out: string, edit: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(root, 'edit-'));
  await extract({ file: archive, cwd: dir });
  await edit(dir);
  await create({ gzip: true, file: out, cwd: dir }, await readdir(dir));
}

let source: string;
let archive: string;
let target: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lynx-backup-spec-'));
  source = join(root, 'source');
  await makeDataFolder(source, { orgs: 3 });
  archive = join(root, 'made', 'for', 'it', 'good.tar.gz');
  const result = await service.backup(archive, offlineSources(loc(source)));
  expect(result.live).toBe(false);
  expect((await stat(archive)).mode & 0o777).toBe(0o600);
  expect(result.counts).toMatchObject({
    aamRows: { Organization: 3 },
    timeSeries: { series: 6, points: 50, pointsByInstallation: { 1: 25, 2: 25 } },
    broker: { keys: 2 },
    files: 1,
  });
  // The target to restore over: a populated data folder of another server.
  target = join(root, 'target');
  await makeDataFolder(target, { orgs: 1 });
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

async function expectRefused(file: string, message: RegExp): Promise<void> {
  const before = await tree(target);
  await expect(service.restore(file, loc(target))).rejects.toThrow(message);
  expect(await tree(target)).toEqual(before);
  expect((await readdir(root)).filter((n) => n.startsWith('.lynx-restore-'))).toEqual([]);
}

describe('backup service', () => {
  it('refuses damaged archives (truncated, bit flips, not gzip) with the data folder unchanged', async () => {
    const bytes = await readFile(archive);
    const damaged: [string, Buffer][] = [
      ['truncated', bytes.subarray(0, Math.floor(bytes.length / 2))],
      ['last byte gone', bytes.subarray(0, bytes.length - 1)],
      ['garbage', Buffer.from('not an archive at all')],
    ];
    for (const at of [20, Math.floor(bytes.length / 3), Math.floor(bytes.length / 2), bytes.length - 12]) {
      const flipped = Buffer.from(bytes);
      flipped[at] ^= 0x10;
      damaged.push([`bit flip at ${at}`, flipped]);
    }
    for (const [name, content] of damaged) {
      const file = join(root, `${name}.tar.gz`);
      await writeFile(file, content);
      await expectRefused(file, /damaged|checksum|manifest|not a/);
    }
  });

  it('refuses archives whose content disagrees with the manifest, or that are foreign or too new', async () => {
    const edits: [string, (dir: string) => Promise<void>, RegExp][] = [
      ['counts', async (d) => {
        const m = JSON.parse(await readFile(join(d, 'manifest.json'), 'utf8'));
        m.counts.timeSeries.pointsByInstallation['1'] += 1;
        await writeFile(join(d, 'manifest.json'), JSON.stringify(m));
      }, /does not match its manifest/],
      ['checksum', async (d) => writeFile(join(d, 'mqtt.kv'), Buffer.alloc((await stat(join(d, 'mqtt.kv'))).size)), /checksum/],
      ['missing', async (d) => rm(join(d, 'tsdb.kv')), /lacks tsdb.kv/],
      ['no manifest', async (d) => rm(join(d, 'manifest.json')), /no manifest/],
      ['format', async (d) => {
        const m = JSON.parse(await readFile(join(d, 'manifest.json'), 'utf8'));
        m.formatVersion = 99;
        await writeFile(join(d, 'manifest.json'), JSON.stringify(m));
      }, /newer than this server reads/],
      ['symlink', async (d) => symlink('/etc/passwd', join(d, 'files', 'link')), /never has/],
      ['extra', async (d) => writeFile(join(d, 'notes.txt'), 'hello'), /never has/],
    ];
    for (const [name, edit, message] of edits) {
      const file = join(root, `edited-${name}.tar.gz`);
      await rewrite(archive, file, edit);
      await expectRefused(file, message);
    }
  });

  it('refuses a database at a migration this server does not know', async () => {
    const future = join(root, 'future');
    await makeDataFolder(future, { orgs: 1, migration: '29991231000000_from_the_future' });
    const file = join(root, 'future.tar.gz');
    await service.backup(file, offlineSources(loc(future)));
    await expectRefused(file, /newer than this server/);
  });

  it('refuses a backup of one database provider for a server on the other', async () => {
    const before = await tree(target);
    await expect(service.restore(archive, { dataDir: target, databaseUrl: 'postgresql://nobody@127.0.0.1:1/none' })).rejects.toThrow(
      /holds a sqlite AAM database, this server is configured for postgresql/,
    );
    expect(await tree(target)).toEqual(before);
  });

  it('refuses while a process holds the data folder', async () => {
    const db = new Level(join(target, 'tsdb'));
    await db.open();
    try {
      await expect(service.restore(archive, loc(target))).rejects.toThrow(DataFolderInUseError);
    } finally {
      await db.close();
    }
  });

  it('restores every key, row and blob, into a fresh folder and over an existing one', async () => {
    for (const dir of [join(root, 'fresh', 'data'), target]) {
      const result = await service.restore(archive, loc(dir));
      expect(result.counts.aamRows).toEqual({ Organization: 3 });
      expect(organizations(dir)).toEqual(['org 0', 'org 1', 'org 2']);
      for (const store of ['tsdb', 'mqtt']) expect(await levelEntries(join(dir, store))).toEqual(await levelEntries(join(source, store)));
      expect(await readFile(join(dir, 'files', blobHash.slice(0, 2), blobHash))).toEqual(blob);
      const names = await readdir(dir);
      expect(names.filter((n) => n.startsWith('.before-restore') || n.startsWith('aam.db-'))).toEqual([]);
    }
    // The restored time series opens and answers.
    const tsdb = await openLevelStore(join(target, 'tsdb'));
    const page = await tsdb.query({ installationId: 1, from: 0, to: 2_000_000_000, offset: 0, limit: 1000, order: 'asc', includeTotal: true } as never);
    expect(page.total).toBe(25);
    await tsdb.close();
    expect((await readdir(root)).filter((n) => n.startsWith('.lynx-'))).toEqual([]);
  });
});
