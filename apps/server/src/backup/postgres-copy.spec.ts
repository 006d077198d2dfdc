// The PostgreSQL dump and load on real databases of the test server (skipped without one outside
// CI): rows come back equal whatever the id order of a self-reference, sequences continue after
// the restored ids, the load replaces what was there, and a failed load changes nothing.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, postgresConfigFromUrl } from '../aam/store/open-store.js';
import { createTestDatabase, probePostgres, type TestDatabase } from '../aam/store/test-helpers.js';
import { dumpPostgres, loadPostgres, postgresMigration, readPostgresDump } from './postgres-copy.js';

const unreachable = process.env.CI ? null : await probePostgres();

async function createPostgresDatabase(): Promise<TestDatabase> {
  // createTestDatabase follows LYNX_TEST_DB; this spec runs in the SQLite project but needs PostgreSQL.
  const kind = process.env.LYNX_TEST_DB;
  process.env.LYNX_TEST_DB = 'postgres';
  try {
    return await createTestDatabase('');
  } finally {
    process.env.LYNX_TEST_DB = kind;
  }
}

async function sql<T extends pg.QueryResultRow>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client(postgresConfigFromUrl(url));
  await c.connect();
  try {
    return (await c.query<T>(text, params)).rows;
  } finally {
    await c.end();
  }
}

let source: TestDatabase;
let target: TestDatabase;
let dir: string;
/** The source's rows as read back from the dump. */
let dumped: Map<string, object[]>;

beforeAll(async () => {
  if (unreachable) return;
  [source, target] = await Promise.all([createPostgresDatabase(), createPostgresDatabase()]);
  await Promise.all([source, target].map(async (db) => (await openStore(db.url)).close()));
  dir = await mkdtemp(join(tmpdir(), 'lynx-pg-copy-'));
  // The child (id 5) has a lower id than its parent (id 10): FK order alone cannot insert them.
  await sql(source.url, `INSERT INTO "Organization" (id, name, "parentId", notes, created, updated) VALUES (10, 'parent', NULL, 'é "quoted"\n', 1, 2), (5, 'child', 10, '', 3, 4)`);
  await sql(source.url, `INSERT INTO "OrganizationMeta" ("organizationId", key, value) VALUES (5, 'k', 'v')`);
  await sql(target.url, `INSERT INTO "Organization" (name, created, updated) VALUES ('to be replaced', 1, 1)`);
});

afterAll(async () => {
  await source?.drop();
  await target?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(unreachable)('PostgreSQL copy', () => {
  it('dumps every row and loads it into a database at the same migration, replacing its rows', async () => {
    const file = join(dir, 'dump.jsonl');
    const dump = await dumpPostgres(source.url, file);
    expect(dump.rows).toMatchObject({ Organization: 2, OrganizationMeta: 1, User: 0 });
    expect(dump.migration).toBe((await postgresMigration(source.url)).migration);
    dumped = await readPostgresDump(file);
    expect(await loadPostgres(target.url, dumped)).toMatchObject({ Organization: 2, OrganizationMeta: 1 });
    const orgs = 'SELECT id, name, "parentId", notes, created, updated FROM "Organization" ORDER BY id';
    expect(await sql(target.url, orgs)).toEqual(await sql(source.url, orgs));
    expect(await sql(target.url, 'SELECT * FROM "OrganizationMeta"')).toEqual(await sql(source.url, 'SELECT * FROM "OrganizationMeta"'));
    // The next id continues after the restored ones.
    const [next] = await sql<{ id: number }>(target.url, `INSERT INTO "Organization" (name, created, updated) VALUES ('new', 1, 1) RETURNING id`);
    expect(next.id).toBe(11);
  });

  it('refuses damaged dumps, and a failing load leaves the rows as they were', async () => {
    const damaged = join(dir, 'damaged.jsonl');
    await writeFile(damaged, '{"t":"Organization","r":{"id":1}}\n{"t":"Organiz');
    await expect(readPostgresDump(damaged)).rejects.toThrow(/damaged at line 2/);
    await writeFile(damaged, '{"t":"A","r":{}}\n{"t":"B","r":{}}\n{"t":"A","r":{}}\n');
    await expect(readPostgresDump(damaged)).rejects.toThrow(/split/);
    const before = await sql(target.url, 'SELECT * FROM "Organization" ORDER BY id');
    // A child whose parent is missing: the foreign key fails the whole transaction.
    const orphan = new Map<string, object[]>([['Organization', [{ ...dumped.get('Organization')![0], id: 1, parentId: 99 }]]]);
    await expect(loadPostgres(target.url, orphan)).rejects.toThrow(/foreign key/);
    expect(await sql(target.url, 'SELECT * FROM "Organization" ORDER BY id')).toEqual(before);
  });
});
