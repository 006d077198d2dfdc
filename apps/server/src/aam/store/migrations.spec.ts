// Migrations on the provider of the project (SQLite, or PostgreSQL under LYNX_TEST_DB=postgres):
// a database made by an older migration set is upgraded at start by a newer one written with
// db:migrate, keeping its rows; and the committed migrations match the models.
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMigration } from './create-migration.js';
import { migrationsDir, openStore, prismaDir, storeProviders, type StoreProvider } from './open-store.js';
import { createTestDatabase, testDbKind, type TestDatabase } from './test-helpers.js';

const provider: StoreProvider = testDbKind() === 'postgres' ? 'postgresql' : 'sqlite';

let dir: string;
let database: TestDatabase;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aam-migrations-'));
  database = await createTestDatabase(join(dir, 'aam.db'));
});
afterEach(async () => {
  await database.drop();
  await rm(dir, { recursive: true, force: true });
});

/** A copy of prisma/ that db:migrate may write to; models.prisma becomes a plain file per provider. */
async function copyPrismaDir(models: string): Promise<string> {
  const root = join(dir, 'prisma');
  for (const p of storeProviders) {
    await cp(join(prismaDir, p, 'migrations'), join(root, p, 'migrations'), { recursive: true });
    await cp(join(prismaDir, p, 'schema.prisma'), join(root, p, 'schema.prisma'));
    await writeFile(join(root, p, 'models.prisma'), models);
  }
  return root;
}

async function committedMigrations(p: StoreProvider): Promise<string[]> {
  return (await readdir(migrationsDir(p), { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

describe(`migrations on ${provider}`, () => {
  it('upgrades a database made by an older migration set at start, keeping its rows', async () => {
    const committed = await committedMigrations(provider);
    const models = await readFile(join(prismaDir, 'models.prisma'), 'utf8');

    // The older set: only the first committed migration.
    const older = join(dir, 'older');
    await cp(join(migrationsDir(provider), committed[0]), join(older, committed[0]), { recursive: true });
    await cp(join(migrationsDir(provider), 'migration_lock.toml'), join(older, 'migration_lock.toml'));
    const first = await openStore(database.url, { migrationsDir: older });
    expect(first.appliedMigrations).toEqual([committed[0]]);
    const org = await first.db.organization.create({ data: { name: 'kept', created: 1, updated: 1 } });
    await first.db.installation.create({ data: { name: 'site', clientId: 10_001, organizationId: org.id, created: 1, updated: 1 } });
    await first.close();

    // The newer set: every committed migration plus one db:migrate writes for a changed model.
    const changed = models.replace(/^model Organization \{\n/m, '$&  upgradeNote String @default("none")\n') + '\nmodel UpgradeProbe {\n  id    Int    @id @default(autoincrement())\n  label String\n}\n';
    expect(changed).toContain('upgradeNote');
    const root = await copyPrismaDir(changed);
    const created = await createMigration('upgrade_probe', { prismaRoot: root, now: new Date('2099-01-01T00:00:00Z') });
    expect(created.map((c) => c.folder?.split('/').slice(-3).join('/'))).toEqual(storeProviders.map((p) => `${p}/migrations/20990101000000_upgrade_probe`));

    const second = await openStore(database.url, { migrationsDir: join(root, provider, 'migrations') });
    try {
      expect(second.appliedMigrations).toEqual([...committed.slice(1), '20990101000000_upgrade_probe']);
      const rows = await second.db.$queryRawUnsafe<{ name: string; upgradeNote: string }[]>('SELECT "name", "upgradeNote" FROM "Organization"');
      expect(rows).toEqual([{ name: 'kept', upgradeNote: 'none' }]);
      expect(await second.db.installation.findMany({ select: { name: true, clientId: true } })).toEqual([{ name: 'site', clientId: 10_001 }]);
      await second.db.$executeRawUnsafe(`INSERT INTO "UpgradeProbe" ("label") VALUES ('new table')`);
      expect(await second.db.$queryRawUnsafe('SELECT "id", "label" FROM "UpgradeProbe"')).toEqual([{ id: 1, label: 'new table' }]);
    } finally {
      await second.close();
    }

    // A later start applies nothing.
    const third = await openStore(database.url, { migrationsDir: join(root, provider, 'migrations') });
    expect(third.appliedMigrations).toEqual([]);
    await third.close();
  });

  it('has committed migrations for every provider that match the models (db:migrate writes nothing)', async () => {
    const root = await copyPrismaDir(await readFile(join(prismaDir, 'models.prisma'), 'utf8'));
    expect(await createMigration('noop', { prismaRoot: root })).toEqual(storeProviders.map((p) => ({ provider: p, folder: null })));
    // One folder name per migration across providers, so a release ships them in step.
    expect(await committedMigrations('postgresql')).toEqual(await committedMigrations('sqlite'));
  });
});
