// Uploaded file bytes in the AAM's PostgreSQL, so every node of a cluster serves every file (a single
// node keeps them in <dataDir>/files: aam/services/file-blob-store.ts). Content-addressed like the
// folder: one row per sha256, written once (INSERT … ON CONFLICT DO NOTHING), removed when no
// StoredFile row references it. The table lives in its own schema, outside Prisma's migrations.
//
// One bytea per blob is fine for the upload cap (30 MiB by default; PostgreSQL allows 1 GB). The
// column is stored EXTERNAL (out of line, uncompressed), so a read fetches it in slices with
// substring() and a download never holds the whole blob in memory.
//
// Locking between nodes: `withLock` holds a session advisory lock for the hash on one pooled
// connection, and put/delete/exists inside it run on that connection. The files service checks and
// changes its SQL rows inside the lock, so "last row gone → delete blob" on one node and "put blob →
// insert row" on another are serialized, and a new upload of the same bytes is never left without
// its blob. A node that dies holding the lock loses its connection, which releases the lock.
import { AsyncLocalStorage } from 'node:async_hooks';
import { Readable } from 'node:stream';
import pg from 'pg';
import type { BlobStore } from '../aam/services/file-blob-store.js';

type LogFn = (obj: object, msg?: string) => void;

export interface PgBlobStoreOptions {
  /** postgresql://… connection string (the AAM's `databaseUrl`). */
  url: string;
  /** Schema holding the table (default `lynx_files`), created if missing. */
  schema?: string;
  /** Pool size (default 4); each running locked operation holds one connection. */
  maxConnections?: number;
  /** Bytes per query when reading (default 1 MiB). */
  chunkBytes?: number;
  logger?: { error: LogFn };
}

const hashPattern = /^[0-9a-f]{64}$/;
/** First key of the two-key advisory locks: "Lynx", so the second (from the hash) cannot collide with other users. */
const lockNamespace = 0x4c796e78;

function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function checkHash(hash: string): string {
  if (!hashPattern.test(hash)) throw new Error(`not a sha256 hash: ${hash}`);
  return hash;
}

/** Two hashes sharing the first 32 bits share a lock: harmless, they only wait for each other. */
function lockKey(hash: string): number {
  return parseInt(hash.slice(0, 8), 16) | 0;
}

export async function openPgBlobStore(opts: PgBlobStoreOptions): Promise<PgBlobStore> {
  const pool = new pg.Pool({ connectionString: opts.url, max: opts.maxConnections ?? 4 });
  pool.on('error', (err) => opts.logger?.error({ err }, 'file blobs: idle PostgreSQL connection failed'));
  const schema = opts.schema ?? 'lynx_files';
  const table = `${ident(schema)}.${ident('blob')}`;
  try {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      // Nodes starting together would race on CREATE … IF NOT EXISTS; released by COMMIT/ROLLBACK.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`lynx-files:${schema}`]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${ident(schema)}`);
      const exists = await client.query('SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = $2', [schema, 'blob']);
      if (exists.rowCount === 0) {
        await client.query(`CREATE TABLE ${table} (hash text PRIMARY KEY, data bytea NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`);
        await client.query(`ALTER TABLE ${table} ALTER COLUMN data SET STORAGE EXTERNAL`);
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  } catch (err) {
    await pool.end().catch(() => {});
    throw err;
  }
  return new PgBlobStore(pool, table, opts.chunkBytes ?? 1024 * 1024);
}

export class PgBlobStore implements BlobStore {
  /** In-process chain per hash: waiters queue here rather than each holding a connection. */
  private readonly chains = new Map<string, Promise<unknown>>();
  /** The connection holding the current operation's advisory lock. */
  private readonly locked = new AsyncLocalStorage<pg.PoolClient>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly table: string,
    private readonly chunkBytes: number,
  ) {}

  async withLock<T>(hash: string, fn: () => Promise<T>): Promise<T> {
    checkHash(hash);
    const previous = this.chains.get(hash) ?? Promise.resolve();
    const run = previous.then(
      () => this.lockedRun(hash, fn),
      () => this.lockedRun(hash, fn),
    );
    const settled = run.catch(() => {});
    this.chains.set(hash, settled);
    try {
      return await run;
    } finally {
      if (this.chains.get(hash) === settled) this.chains.delete(hash);
    }
  }

  private async lockedRun<T>(hash: string, fn: () => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // Set when the connection itself failed: it is then closed, which releases the lock whatever state it is in.
    let broken: Error | undefined;
    try {
      await client.query('SELECT pg_advisory_lock($1::int, $2::int)', [lockNamespace, lockKey(hash)]).catch((err: Error) => {
        broken = err;
        throw err;
      });
      try {
        return await this.locked.run(client, fn);
      } finally {
        await client.query('SELECT pg_advisory_unlock($1::int, $2::int)', [lockNamespace, lockKey(hash)]).catch((err: Error) => {
          broken = err;
        });
      }
    } finally {
      client.release(broken);
    }
  }

  /** The locked connection inside {@link withLock}, else the pool. */
  private get db(): pg.Pool | pg.PoolClient {
    return this.locked.getStore() ?? this.pool;
  }

  async exists(hash: string): Promise<boolean> {
    if (!hashPattern.test(hash)) return false;
    const r = await this.db.query(`SELECT 1 FROM ${this.table} WHERE hash = $1`, [hash]);
    return (r.rowCount ?? 0) > 0;
  }

  async put(hash: string, data: Buffer): Promise<void> {
    await this.db.query(`INSERT INTO ${this.table} (hash, data) VALUES ($1, $2) ON CONFLICT (hash) DO NOTHING`, [checkHash(hash), data]);
  }

  /** Streams the bytes a slice at a time; errors when the blob does not exist (or goes meanwhile). */
  read(hash: string): Readable {
    checkHash(hash);
    let offset = 0;
    let size: number | undefined;
    const slice = async (): Promise<Buffer | null> => {
      if (size !== undefined && offset >= size) return null;
      const r = await this.pool.query<{ chunk: Buffer; size: number }>(
        `SELECT substring(data FROM $2::int FOR $3::int) AS chunk, length(data) AS size FROM ${this.table} WHERE hash = $1`,
        [hash, offset + 1, this.chunkBytes],
      );
      if (r.rows.length === 0) throw new Error(`file blob ${hash} not found`);
      size = r.rows[0].size;
      const chunk = r.rows[0].chunk;
      offset += chunk.length;
      return chunk.length > 0 ? chunk : null;
    };
    return new Readable({
      read() {
        slice().then(
          (chunk) => this.push(chunk),
          (err: Error) => this.destroy(err),
        );
      },
    });
  }

  async delete(hash: string): Promise<void> {
    await this.db.query(`DELETE FROM ${this.table} WHERE hash = $1`, [checkHash(hash)]);
  }

  /**
   * Same contract as the folder's sweep. There are no temporary leftovers here (a put is one
   * INSERT), so `tmpAgeMs` does not apply. Every node sweeps at start-up; the locks keep that safe.
   */
  async sweep(candidates: ReadonlySet<string>, isReferenced: (hash: string) => Promise<boolean>, _tmpAgeMs: number): Promise<number> {
    const stored = (await this.pool.query<{ hash: string }>(`SELECT hash FROM ${this.table}`)).rows.map((r) => r.hash);
    let removed = 0;
    for (const hash of stored) {
      if (candidates.has(hash) || !hashPattern.test(hash)) continue;
      const gone = await this.withLock(hash, async () => {
        if (await isReferenced(hash)) return false;
        const r = await this.db.query(`DELETE FROM ${this.table} WHERE hash = $1`, [hash]);
        return (r.rowCount ?? 0) > 0;
      });
      if (gone) removed++;
    }
    return removed;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
