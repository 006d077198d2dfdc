// Backup and restore of a data folder. One service for the running server (called through the
// control socket, with live snapshots) and for the CLI on a stopped server (stores opened directly).
import { randomBytes } from 'node:crypto';
import { chmod, cp, link, copyFile, mkdir, mkdtemp, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { isPostgresUrl, migrationsDir, openStore, sqliteFileFromUrl, type StoreProvider } from '../aam/store/open-store.js';
import { packArchive, sha256File, unpackArchive } from './archive.js';
import { readKvFile, writeKvFile, type KvSnapshot } from './kv-stream.js';
import { assertLevelUnlocked, openLevelSnapshot, restoreLevel, TimeSeriesCounter } from './level-kv.js';
import {
  BACKUP_FORMAT,
  BACKUP_FORMAT_VERSION,
  countDifferences,
  databaseEntry,
  isBlobPath,
  MANIFEST_NAME,
  MQTT_ENTRY,
  parseManifest,
  POSTGRES_ENTRY,
  SQLITE_ENTRY,
  TSDB_ENTRY,
  type BackupCounts,
  type BackupManifest,
} from './manifest.js';
import { dumpPostgres, loadPostgres, postgresMigration, readPostgresDump } from './postgres-copy.js';
import { checkSqlite, copySqlite, sqliteFacts, type SqliteFacts } from './sqlite-copy.js';

/** Where a backup reads from: live snapshots inside the server, or the stores of a stopped one. */
export interface BackupSources {
  live: boolean;
  databaseUrl: string;
  /** Taken in the store's write queue (no half batch). */
  tsdb(): Promise<KvSnapshot>;
  /** The broker's sessions, queues and retained messages. */
  mqtt(): Promise<KvSnapshot>;
  filesDir: string;
}

/** The folders a data folder's stores live in (dataDir layout, see README). */
export interface DataLocation {
  dataDir: string;
  databaseUrl: string;
}

export interface BackupResult {
  file: string;
  size: number;
  live: boolean;
  counts: BackupCounts;
}

export interface RestoreResult {
  file: string;
  dataDir: string;
  counts: BackupCounts;
  createdAt: string;
  serverVersion: string;
}

export class BackupError extends Error {}

type Database = { provider: 'sqlite'; file: string } | { provider: 'postgresql'; url: string };

function databaseOf(databaseUrl: string): Database {
  if (isPostgresUrl(databaseUrl)) return { provider: 'postgresql', url: databaseUrl };
  const file = sqliteFileFromUrl(databaseUrl);
  if (file === null) throw new BackupError('unsupported database URL');
  return { provider: 'sqlite', file: resolve(file) };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

function stamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-');
}

/** Sources for a stopped server: opening its LevelDB folders takes their locks, so a running server makes this fail. */
export function offlineSources(loc: DataLocation): BackupSources {
  return {
    live: false,
    databaseUrl: loc.databaseUrl,
    tsdb: () => openLevelSnapshot(join(loc.dataDir, 'tsdb')),
    mqtt: () => openLevelSnapshot(join(loc.dataDir, 'mqtt')),
    filesDir: join(loc.dataDir, 'files'),
  };
}

/** Blob files under files/<2 hex>/<sha256>, relative paths; temporary uploads are left out. */
async function listBlobs(filesDir: string): Promise<string[]> {
  const out: string[] = [];
  let dirs: string[];
  try {
    dirs = (await readdir(filesDir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return out;
  }
  for (const d of dirs.sort()) {
    for (const e of await readdir(join(filesDir, d), { withFileTypes: true })) {
      const rel = `files/${d}/${e.name}`;
      if (e.isFile() && isBlobPath(rel)) out.push(rel);
    }
  }
  return out.sort();
}

export class BackupService {
  private running = false;

  constructor(private readonly opts: { serverVersion: string }) {}

  /** Writes the archive to `file` (replaced atomically if it exists); one backup at a time. */
  async backup(file: string, sources: BackupSources): Promise<BackupResult> {
    // A second at once would double the disk traffic for the same result.
    if (this.running) throw new BackupError('a backup is already running');
    this.running = true;
    try {
      return await this.write(resolve(file), sources);
    } finally {
      this.running = false;
    }
  }

  private async write(file: string, sources: BackupSources): Promise<BackupResult> {
    const database = databaseOf(sources.databaseUrl);
    if (database.provider === 'sqlite' && !(await exists(database.file))) throw new BackupError(`no AAM database at ${database.file}: nothing to back up`);
    // Created like <dataDir>/backups/ would be: private to the owner.
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    const staging = await mkdtemp(join(dirname(file), '.lynx-backup-'));
    const partial = join(dirname(file), `.${basename(file)}.${randomBytes(4).toString('hex')}.partial`);
    try {
      const entries: BackupManifest['entries'] = [];
      const tsCounter = new TimeSeriesCounter();
      let brokerKeys = 0;
      // The two LevelDB snapshots first (instants), then the SQL copy (one read transaction).
      const tsdb = await sources.tsdb();
      let mqtt: KvSnapshot | undefined;
      let facts: SqliteFacts;
      try {
        mqtt = await sources.mqtt();
        if (database.provider === 'sqlite') {
          copySqlite(database.file, join(staging, SQLITE_ENTRY));
          facts = sqliteFacts(join(staging, SQLITE_ENTRY));
          entries.push({ path: SQLITE_ENTRY, size: (await stat(join(staging, SQLITE_ENTRY))).size, sha256: await sha256File(join(staging, SQLITE_ENTRY)) });
        } else {
          const dump = await dumpPostgres(database.url, join(staging, POSTGRES_ENTRY));
          facts = dump;
          entries.push({ path: POSTGRES_ENTRY, size: dump.size, sha256: dump.sha256 });
        }
        const kvTs = await writeKvFile(join(staging, TSDB_ENTRY), tsdb.entries(), (k, v) => tsCounter.add(k, v));
        const kvMq = await writeKvFile(join(staging, MQTT_ENTRY), mqtt.entries());
        brokerKeys = kvMq.count;
        entries.push(
          { path: TSDB_ENTRY, size: kvTs.size, sha256: kvTs.sha256 },
          { path: MQTT_ENTRY, size: kvMq.size, sha256: kvMq.sha256 },
        );
      } finally {
        await tsdb.close().catch(() => {});
        await mqtt?.close().catch(() => {});
      }

      // Blobs never change once in place (content-addressed, renamed in): a hard link is a copy.
      const blobs = await listBlobs(sources.filesDir);
      for (const rel of blobs) {
        const src = join(sources.filesDir, rel.slice('files/'.length));
        const dest = join(staging, rel);
        await mkdir(dirname(dest), { recursive: true });
        try {
          await link(src, dest);
        } catch (err) {
          // Deleted since the listing: its row is gone too (or goes at the next start's sweep).
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
          await copyFile(src, dest);
        }
        entries.push({ path: rel, size: (await stat(dest)).size, sha256: await sha256File(dest) });
      }

      const counts: BackupCounts = {
        aamRows: facts.rows,
        timeSeries: { series: tsCounter.series, points: tsCounter.points, pointsByInstallation: tsCounter.pointsByInstallation },
        broker: { keys: brokerKeys },
        files: entries.filter((e) => isBlobPath(e.path)).length,
      };
      const manifest: BackupManifest = {
        format: BACKUP_FORMAT,
        formatVersion: BACKUP_FORMAT_VERSION,
        serverVersion: this.opts.serverVersion,
        createdAt: new Date().toISOString(),
        live: sources.live,
        database: { provider: database.provider, migration: facts.migration },
        entries,
        counts,
      };
      await writeFile(join(staging, MANIFEST_NAME), `${JSON.stringify(manifest, null, 2)}\n`);
      await packArchive(partial, staging, [MANIFEST_NAME, ...entries.map((e) => e.path)]);
      // It holds password and token hashes: readable by the owner only.
      await chmod(partial, 0o600);
      // Durable before it gets its name: a crash leaves the old archive or the whole new one.
      await syncPath(partial);
      await rename(partial, file);
      await syncPath(dirname(file));
      return { file, size: (await stat(file)).size, live: sources.live, counts };
    } finally {
      await rm(partial, { force: true });
      await rm(staging, { recursive: true, force: true });
    }
  }

  /**
   * Replaces the stores of the data folder with the archive's, after verifying all of it in a
   * folder next to the data folder. Nothing in the data folder changes unless every check passed.
   * The caller makes sure no server answers on the folder; LevelDB's locks are checked here too.
   */
  async restore(file: string, target: DataLocation): Promise<RestoreResult> {
    file = resolve(file);
    const dataDir = resolve(target.dataDir);
    const database = databaseOf(target.databaseUrl);
    if (!(await exists(file))) throw new BackupError(`${file} does not exist`);

    await mkdir(dirname(dataDir), { recursive: true });
    const work = await mkdtemp(join(dirname(dataDir), '.lynx-restore-'));
    try {
      const { manifest, staged, dump } = await this.verifyInto(file, work, database.provider);
      // Only now: opening a LevelDB to test its lock rewrites some of its files (same content).
      for (const store of ['tsdb', 'mqtt']) await assertLevelUnlocked(join(dataDir, store));
      if (database.provider === 'postgresql') {
        await preparePostgres(database.url, manifest.database.migration, work);
        // The folder's stores move first (undoable); the database is replaced in one transaction.
        await this.swapIn(dataDir, null, staged, async () => {
          await loadPostgres(database.url, dump!);
        });
      } else {
        await this.swapIn(dataDir, database.file, staged);
      }
      return { file, dataDir, counts: manifest.counts, createdAt: manifest.createdAt, serverVersion: manifest.serverVersion };
    } finally {
      await rm(work, { recursive: true, force: true, maxRetries: 5 });
    }
  }

  /** Unpacks and checks everything, and builds the stores in `work/data`. */
  private async verifyInto(
    file: string,
    work: string,
    provider: StoreProvider,
  ): Promise<{ manifest: BackupManifest; staged: Staged; dump?: Map<string, object[]> }> {
    const unpacked = join(work, 'archive');
    const data = join(work, 'data');
    await mkdir(unpacked);
    await mkdir(data);
    await unpackArchive(file, unpacked);

    let manifestText: string;
    try {
      manifestText = await readFile(join(unpacked, MANIFEST_NAME), 'utf8');
    } catch {
      throw new BackupError('the archive has no manifest.json: not a Lynx backup');
    }
    const manifest = parseManifest(manifestText);
    if (manifest.database.provider !== provider) {
      throw new BackupError(`the backup holds a ${manifest.database.provider} AAM database, this server is configured for ${provider}`);
    }

    // Every entry present with its size and checksum, and nothing unlisted.
    const listed = new Set(manifest.entries.map((e) => e.path));
    for (const rel of await listBlobs(join(unpacked, 'files'))) {
      if (!listed.has(rel)) throw new BackupError(`the archive holds ${rel}, which its manifest does not list`);
    }
    for (const e of manifest.entries) {
      const path = join(unpacked, e.path);
      const st = await stat(path).catch(() => null);
      if (!st?.isFile()) throw new BackupError(`the archive lacks ${e.path}, listed in its manifest`);
      if (st.size !== e.size) throw new BackupError(`${e.path} has ${st.size} bytes, the manifest says ${e.size}`);
      if ((await sha256File(path)) !== e.sha256) throw new BackupError(`${e.path} does not match its checksum`);
      if (isBlobPath(e.path) && basename(e.path) !== e.sha256) throw new BackupError(`${e.path} is not the blob its name says`);
    }

    const known = await knownMigrations(provider);
    const migration = manifest.database.migration;
    if (migration !== null && !known.includes(migration)) {
      const newest = known[known.length - 1];
      throw new BackupError(
        migration > (newest ?? '')
          ? `the backup's database is at migration ${migration}, newer than this server (${this.opts.serverVersion}) knows: restore it with a newer server`
          : `the backup's database is at migration ${migration}, which this server does not know`,
      );
    }
    let rows: Record<string, number>;
    let dump: Map<string, object[]> | undefined;
    if (provider === 'sqlite') {
      const facts = checkSqlite(join(unpacked, SQLITE_ENTRY));
      if (facts.migration !== migration) throw new BackupError(`the database copy is at migration ${facts.migration}, the manifest says ${migration}`);
      rows = facts.rows;
    } else {
      if (migration === null) throw new BackupError('the backup does not say which migration its database is at');
      dump = await readPostgresDump(join(unpacked, POSTGRES_ENTRY)).catch((err: Error) => {
        throw new BackupError(err.message);
      });
      rows = Object.fromEntries([...dump].map(([t, r]) => [t, r.length]));
    }
    const problems = countDifferences('rows of', manifest.counts.aamRows, rows);

    const ts = new TimeSeriesCounter();
    await restoreLevel(join(data, 'tsdb'), readKvFile(join(unpacked, TSDB_ENTRY)), (k, v) => ts.add(k, v));
    problems.push(...countDifferences('time-series points of installation', manifest.counts.timeSeries.pointsByInstallation, ts.pointsByInstallation));
    if (ts.series !== manifest.counts.timeSeries.series) problems.push(`time series: manifest ${manifest.counts.timeSeries.series}, archive ${ts.series}`);
    const mqttKeys = await restoreLevel(join(data, 'mqtt'), readKvFile(join(unpacked, MQTT_ENTRY)));
    if (mqttKeys !== manifest.counts.broker.keys) problems.push(`broker keys: manifest ${manifest.counts.broker.keys}, archive ${mqttKeys}`);
    if (problems.length) throw new BackupError(`the archive does not match its manifest: ${problems.slice(0, 3).join('; ')}`);

    const staged: Staged = { tsdb: join(data, 'tsdb'), mqtt: join(data, 'mqtt'), files: join(data, 'files') };
    if (provider === 'sqlite') {
      staged.db = join(data, 'aam.db');
      await rename(join(unpacked, SQLITE_ENTRY), staged.db);
    }
    await mkdir(join(unpacked, 'files'), { recursive: true });
    await rename(join(unpacked, 'files'), staged.files);
    return { manifest, staged, dump };
  }

  /**
   * Moves the current stores aside, the staged ones in, then runs `then` (the PostgreSQL load);
   * puts everything back if a step fails. `sqliteFile` null: the AAM is not in a file.
   */
  private async swapIn(dataDir: string, sqliteFile: string | null, staged: Staged, then?: () => Promise<void>): Promise<void> {
    await mkdir(dataDir, { recursive: true });
    if (sqliteFile) await mkdir(dirname(sqliteFile), { recursive: true });
    const aside = join(dataDir, `.before-restore-${stamp()}`);
    const current = [
      ...(sqliteFile ? [sqliteFile, `${sqliteFile}-wal`, `${sqliteFile}-shm`, `${sqliteFile}-journal`] : []),
      ...['tsdb', 'mqtt', 'files'].map((n) => join(dataDir, n)),
    ];
    const placements: [string, string][] = [
      ...(sqliteFile && staged.db ? [[staged.db, sqliteFile] as [string, string]] : []),
      [staged.tsdb, join(dataDir, 'tsdb')],
      [staged.mqtt, join(dataDir, 'mqtt')],
      [staged.files, join(dataDir, 'files')],
    ];
    const movedAside: [string, string][] = [];
    const placed: string[] = [];
    await mkdir(aside);
    try {
      for (const path of current) {
        if (!(await exists(path))) continue;
        const to = join(aside, basename(path));
        await rename(path, to);
        movedAside.push([path, to]);
      }
      // VACUUM INTO does not sync its output (LevelDB's last batch was written synced).
      if (staged.db) await syncPath(staged.db);
      for (const [from, to] of placements) {
        await rename(from, to);
        placed.push(to);
      }
      await syncPath(dataDir);
      await then?.();
    } catch (err) {
      for (const path of placed.reverse()) await rm(path, { recursive: true, force: true }).catch(() => {});
      let allBack = true;
      for (const [orig, to] of movedAside.reverse()) await rename(to, orig).catch(() => (allBack = false));
      if (!allBack) throw new BackupError(`restore failed while replacing the stores (${(err as Error).message}); the previous ones are in ${aside}`);
      await rm(aside, { recursive: true, force: true }).catch(() => {});
      throw new BackupError(`restore failed while replacing the stores, the previous ones are back: ${(err as Error).message}`);
    }
    await rm(aside, { recursive: true, force: true });
  }
}

/** fsync of a file or folder (a folder's sync makes the renames in it durable); not on Windows folders. */
async function syncPath(path: string): Promise<void> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if (process.platform === 'win32') return;
    throw err;
  }
  try {
    await handle.sync();
  } catch (err) {
    if (process.platform !== 'win32') throw err;
  } finally {
    await handle.close();
  }
}

interface Staged {
  db?: string;
  tsdb: string;
  mqtt: string;
  files: string;
}

async function knownMigrations(provider: StoreProvider): Promise<string[]> {
  const dir = migrationsDir(provider);
  try {
    return (await readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch {
    throw new BackupError(`cannot read this server's migrations in ${dir}`);
  }
}

/**
 * Brings the target PostgreSQL database to the backup's migration: an empty database is migrated
 * up to exactly that one (the server applies any later ones at its next start); a database already
 * there is used as it is; anything else is refused before a row changes.
 */
async function preparePostgres(url: string, migration: string | null, work: string): Promise<void> {
  const state = await postgresMigration(url);
  if (state.migration === migration) return;
  if (state.migration !== null || state.tables > 0) {
    throw new BackupError(
      `the PostgreSQL database is at migration ${state.migration ?? '(none, but holds tables)'}, the backup at ${migration}: restore into an empty database or one at the backup's migration`,
    );
  }
  const source = migrationsDir('postgresql');
  const subset = join(work, 'migrations');
  await mkdir(subset);
  await copyFile(join(source, 'migration_lock.toml'), join(subset, 'migration_lock.toml'));
  for (const name of await knownMigrations('postgresql')) {
    if (name <= migration!) await cp(join(source, name), join(subset, name), { recursive: true });
  }
  const store = await openStore(url, { migrationsDir: subset });
  await store.close();
}
