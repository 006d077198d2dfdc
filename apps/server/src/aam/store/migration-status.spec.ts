// The start-up migration check on the provider of the project (SQLite, or PostgreSQL under
// LYNX_TEST_DB=postgres): the schema engine runs for a fresh or behind database, and stays unloaded
// when every committed migration is recorded as applied.
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrationsDir, openStore, type StoreProvider } from './open-store.js';
import { schemaEngineOpens } from './schema-engine.js';
import { createTestDatabase, testDbKind, type TestDatabase } from './test-helpers.js';

const provider: StoreProvider = testDbKind() === 'postgres' ? 'postgresql' : 'sqlite';

let dir: string;
let database: TestDatabase;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aam-migration-check-'));
  database = await createTestDatabase(join(dir, 'aam.db'));
});
afterEach(async () => {
  await database.drop();
  await rm(dir, { recursive: true, force: true });
});

async function committed(): Promise<string[]> {
  return (await readdir(migrationsDir(provider), { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

/** Opens and closes the store; what it applied and how many times the engine was opened meanwhile. */
async function openOnce(migrations?: string) {
  const before = schemaEngineOpens();
  const store = await openStore(database.url, migrations ? { migrationsDir: migrations } : {});
  try {
    return { applied: store.appliedMigrations, ranSchemaEngine: store.ranSchemaEngine, engineOpens: schemaEngineOpens() - before };
  } finally {
    await store.close();
  }
}

/** Runs SQL on the database outside the store's own client. */
async function execute(sql: string): Promise<void> {
  const store = await openStore(database.url);
  try {
    await store.db.$executeRawUnsafe(sql);
  } finally {
    await store.close();
  }
}

describe(`start-up migration check on ${provider}`, () => {
  it('migrates a fresh database with the engine, and opens it again without loading the engine', async () => {
    const names = await committed();
    expect(await openOnce()).toEqual({ applied: names, ranSchemaEngine: true, engineOpens: 1 });
    expect(await openOnce()).toEqual({ applied: [], ranSchemaEngine: false, engineOpens: 0 });
    expect(await openOnce()).toEqual({ applied: [], ranSchemaEngine: false, engineOpens: 0 });
  });

  it('applies a pending migration with the engine, then skips it', async () => {
    const names = await committed();
    const older = join(dir, 'older');
    for (const name of names.slice(0, -1)) await cp(join(migrationsDir(provider), name), join(older, name), { recursive: true });
    await cp(join(migrationsDir(provider), 'migration_lock.toml'), join(older, 'migration_lock.toml'));

    expect(await openOnce(older)).toEqual({ applied: names.slice(0, -1), ranSchemaEngine: true, engineOpens: 1 });
    expect(await openOnce(older)).toEqual({ applied: [], ranSchemaEngine: false, engineOpens: 0 });
    // The release adds the last migration: pending, so the engine loads and applies only that one.
    expect(await openOnce()).toEqual({ applied: names.slice(-1), ranSchemaEngine: true, engineOpens: 1 });
    expect(await openOnce()).toEqual({ applied: [], ranSchemaEngine: false, engineOpens: 0 });
  });

  it('leaves a history that differs from the committed set to the engine', async () => {
    const names = await committed();
    await openOnce();

    // A migration recorded as applied that this release does not ship (a newer server ran here).
    await execute(`INSERT INTO "_prisma_migrations" ("id", "checksum", "migration_name", "started_at", "finished_at", "applied_steps_count") VALUES ('probe', 'x', '29990101000000_from_the_future', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)`);
    expect(await openOnce()).toMatchObject({ ranSchemaEngine: true, engineOpens: 1 });
    await execute(`DELETE FROM "_prisma_migrations" WHERE "id" = 'probe'`);
    expect(await openOnce()).toMatchObject({ ranSchemaEngine: false, engineOpens: 0 });

    // A committed migration edited after it was applied: its checksum no longer matches.
    await execute(`UPDATE "_prisma_migrations" SET "checksum" = 'edited' WHERE "migration_name" = '${names[0]}'`);
    expect(await openOnce()).toMatchObject({ ranSchemaEngine: true, engineOpens: 1 });
  });

  it('lets the engine refuse a database where a migration failed half way', async () => {
    const names = await committed();
    await openOnce();
    await execute(`UPDATE "_prisma_migrations" SET "finished_at" = NULL, "logs" = 'failed' WHERE "migration_name" = '${names.at(-1)}'`);
    const before = schemaEngineOpens();
    await expect(openStore(database.url)).rejects.toThrow(new RegExp(names.at(-1)!));
    expect(schemaEngineOpens() - before).toBe(1);
  });
});
