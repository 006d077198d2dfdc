// The cluster's file blobs in PostgreSQL (a fresh database for this file): storage, sliced reads,
// sweep, and two nodes (two stores, two pools) racing a delete against a new upload of the same bytes.
import { buffer, text } from 'node:stream/consumers';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../aam/services/file-blob-store.js';
import { createTsdbTestDatabase, postgresUnavailable, type TsdbTestDatabase } from '../tsdb/postgres/test-helpers.js';
import { openPgBlobStore, type PgBlobStore } from './pg-blob-store.js';

const unavailable = await postgresUnavailable();
if (unavailable) console.warn(`pg-blob-store spec skipped: PostgreSQL unreachable (${unavailable})`);

describe.skipIf(!!unavailable)('PgBlobStore', () => {
  let db: TsdbTestDatabase;
  let nodeA: PgBlobStore;
  let nodeB: PgBlobStore;
  let sql: pg.Client;

  beforeAll(async () => {
    db = await createTsdbTestDatabase();
    // Small slices so a read takes several queries; both open at once, as nodes starting together do.
    [nodeA, nodeB] = await Promise.all([openPgBlobStore({ url: db.url, chunkBytes: 1000 }), openPgBlobStore({ url: db.url, chunkBytes: 1000 })]);
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    // Stands in for the StoredFile rows that reference blobs.
    await sql.query('CREATE TABLE refs (hash text NOT NULL)');
  });

  afterAll(async () => {
    await sql?.end().catch(() => {});
    await nodeA?.close();
    await nodeB?.close();
    await db?.drop();
  });

  const blob = (content: string | Buffer) => {
    const data = Buffer.isBuffer(content) ? content : Buffer.from(content);
    return { data, hash: sha256Hex(data) };
  };
  const refs = async (hash: string) => Number((await sql.query('SELECT count(*) AS n FROM refs WHERE hash = $1', [hash])).rows[0].n);

  it('stores once per hash and streams the same bytes back to every node, slice by slice', async () => {
    const big = blob(Buffer.from(Array.from({ length: 4321 }, (_, i) => (i * 7) % 256)));
    expect(await nodeB.exists(big.hash)).toBe(false);
    await nodeA.withLock(big.hash, () => nodeA.put(big.hash, big.data));
    await nodeB.withLock(big.hash, () => nodeB.put(big.hash, big.data));
    expect(Number((await sql.query('SELECT count(*) AS n FROM lynx_files.blob')).rows[0].n)).toBe(1);
    expect(await nodeB.exists(big.hash)).toBe(true);
    expect((await buffer(nodeB.read(big.hash))).equals(big.data)).toBe(true);
    const empty = blob('');
    await nodeA.withLock(empty.hash, () => nodeA.put(empty.hash, empty.data));
    expect(await text(nodeB.read(empty.hash))).toBe('');
    await nodeB.withLock(big.hash, () => nodeB.delete(big.hash));
    expect(await nodeA.exists(big.hash)).toBe(false);
  });

  it('fails the stream of a blob that is not there, and refuses what is not a hash', async () => {
    await expect(buffer(nodeA.read('0'.repeat(64)))).rejects.toThrow(/not found/);
    expect(await nodeA.exists('../etc/passwd')).toBe(false);
    expect(() => nodeA.read('nope')).toThrow(/not a sha256/);
  });

  it('sweeps blobs no row references, keeping referenced ones', async () => {
    const kept = blob('kept by a row');
    const listed = blob('in the candidate list');
    const orphan = blob('orphan');
    for (const b of [kept, listed, orphan]) await nodeA.withLock(b.hash, () => nodeA.put(b.hash, b.data));
    await sql.query('INSERT INTO refs (hash) VALUES ($1)', [kept.hash]);
    const removed = await nodeB.sweep(new Set([listed.hash]), async (hash) => (await refs(hash)) > 0, 0);
    // The orphan and the empty blob of the first case.
    expect(removed).toBe(2);
    expect(await nodeA.exists(kept.hash)).toBe(true);
    expect(await nodeA.exists(listed.hash)).toBe(true);
    expect(await nodeA.exists(orphan.hash)).toBe(false);
  });

  it('keeps the blob of an upload on node B that races the delete of the last file with the same bytes on node A', async () => {
    const same = blob('the same bytes uploaded twice');
    await nodeA.withLock(same.hash, async () => {
      await nodeA.put(same.hash, same.data);
      await sql.query('INSERT INTO refs (hash) VALUES ($1)', [same.hash]);
    });
    let releaseA!: () => void;
    const gate = new Promise<void>((resolve) => (releaseA = resolve));
    const order: string[] = [];
    // Node A: the last row goes, and (held at the gate) the blob is about to be deleted.
    const deleting = nodeA.withLock(same.hash, async () => {
      await sql.query('DELETE FROM refs WHERE hash = $1', [same.hash]);
      order.push('A: row deleted');
      await gate;
      if ((await refs(same.hash)) === 0) await nodeA.delete(same.hash);
      order.push('A: blob deleted');
    });
    await waitFor(() => order.length === 1);
    // Node B: the same bytes again, as the files service uploads them.
    const uploading = nodeB.withLock(same.hash, async () => {
      order.push('B: upload');
      await nodeB.put(same.hash, same.data);
      await sql.query('INSERT INTO refs (hash) VALUES ($1)', [same.hash]);
    });
    // B is queued on A's advisory lock in PostgreSQL before A goes on.
    const waiting = "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())";
    await waitFor(async () => Number((await sql.query(waiting)).rows[0].n) === 1);
    releaseA();
    await Promise.all([deleting, uploading]);
    expect(order).toEqual(['A: row deleted', 'A: blob deleted', 'B: upload']);
    expect(await refs(same.hash)).toBe(1);
    expect((await buffer(nodeA.read(same.hash))).equals(same.data)).toBe(true);
  });

  it('releases the lock when the operation fails, for this node and the others', async () => {
    const h = blob('failing').hash;
    await expect(nodeA.withLock(h, async () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    expect(await nodeB.withLock(h, async () => 'free')).toBe('free');
    expect(await nodeA.withLock(h, async () => 'free again')).toBe('free again');
  });
});

async function waitFor(check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('condition not reached in 5 s');
}
