// `npm run db:migrate -- <name>`: writes a new migration for every provider from the difference
// between the schema saved with its last migration and the current models. No database and no
// shadow database are needed, which is what makes this work without Prisma's native engine (see
// stack notes), and keeps the two providers' migration folders in step.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { ColumnTypeEnum } from '@prisma/driver-adapter-utils';
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory, SqlQuery } from '@prisma/driver-adapter-utils';
import { prismaDir, storeProviders, type StoreProvider } from './open-store.js';
import { diffSchemas } from './schema-engine.js';

// Not .prisma: the CLI reads every .prisma file under the schema folder, migrations included.
export const snapshotName = 'schema-snapshot.txt';

/**
 * The PostgreSQL engine asks the server for its version and whether the schema exists before it
 * diffs, even between two datamodels. Answering that one question here keeps db:migrate free of a
 * running server; anything else it asks is a change in the engine that should be looked at.
 */
export function offlinePostgresFactory(serverVersionNum = 150000): SqlMigrationAwareDriverAdapterFactory {
  const adapter: SqlDriverAdapter = {
    provider: 'postgres',
    adapterName: 'lynx-offline-postgres',
    async queryRaw(query: SqlQuery) {
      if (!/FROM pg_namespace WHERE nspname = \$1\), version\(\)/.test(query.sql)) {
        throw new Error(`db:migrate (offline PostgreSQL) got an unexpected query from the schema engine: ${query.sql.slice(0, 200)}`);
      }
      const major = Math.floor(serverVersionNum / 10000);
      return {
        columnNames: ['exists', 'version', 'numeric_version'],
        columnTypes: [ColumnTypeEnum.Boolean, ColumnTypeEnum.Text, ColumnTypeEnum.Int32],
        rows: [[true, `PostgreSQL ${major}.0 (offline, for db:migrate)`, serverVersionNum]],
      };
    },
    async executeRaw(query: SqlQuery): Promise<number> {
      throw new Error(`db:migrate (offline PostgreSQL) cannot execute: ${query.sql.slice(0, 200)}`);
    },
    async executeScript(): Promise<void> {
      throw new Error('db:migrate (offline PostgreSQL) cannot execute scripts');
    },
    async startTransaction(): Promise<never> {
      throw new Error('db:migrate (offline PostgreSQL) has no transactions');
    },
    getConnectionInfo: () => ({ schemaName: 'public', supportsRelationJoins: true }),
    async dispose() {},
  };
  return {
    provider: 'postgres',
    adapterName: adapter.adapterName,
    connect: async () => adapter,
    connectToShadowDb: async () => {
      throw new Error('db:migrate needs no shadow database');
    },
  };
}

function diffFactory(provider: StoreProvider): SqlMigrationAwareDriverAdapterFactory {
  return provider === 'sqlite' ? new PrismaBetterSqlite3({ url: ':memory:' }) : offlinePostgresFactory();
}

async function readSchema(root: string, provider: StoreProvider): Promise<[string, string][]> {
  const dir = join(root, provider);
  return Promise.all(
    ['schema.prisma', 'models.prisma'].map(async (name) => [join(dir, name), await readFile(join(dir, name), 'utf8')] as [string, string]),
  );
}

/** A migration body the engine produced for "nothing to do". */
function isEmptyMigration(sql: string): boolean {
  return !sql.trim() || /^-- This is an empty migration/.test(sql.trim());
}

/**
 * PostgreSQL diffs from nothing open with CREATE SCHEMA "public". Every database already has that
 * schema, and creating one needs CREATE on the database, which a role that merely owns the
 * database's objects may lack; so the statement is left out of the migration.
 */
function dropPublicSchemaCreation(sql: string): string {
  return sql.replace(/^-- CreateSchema\nCREATE SCHEMA IF NOT EXISTS "public";\n\n?/m, '');
}

export interface CreatedMigration {
  provider: StoreProvider;
  /** Folder written, or null when this provider's schema is unchanged. */
  folder: string | null;
}

/**
 * Diffs every provider first and writes only then, all under one folder name, so a failure in
 * one provider leaves no half-written migration set behind.
 */
export async function createMigration(
  name: string,
  opts: { prismaRoot?: string; now?: Date; providers?: readonly StoreProvider[] } = {},
): Promise<CreatedMigration[]> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error('migration name must be lower-case letters, digits and underscores');
  const root = opts.prismaRoot ?? prismaDir;
  const stamp = (opts.now ?? new Date()).toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const planned = await Promise.all(
    (opts.providers ?? storeProviders).map(async (provider) => {
      const dir = join(root, provider, 'migrations');
      const current = await readSchema(root, provider);
      const previousText = await readFile(join(dir, snapshotName), 'utf8').catch(() => null);
      const previous: [string, string][] | null = previousText === null ? null : [[join(dir, snapshotName), previousText]];
      let sql = await diffSchemas(previous, current, diffFactory(provider));
      if (provider === 'postgresql' && previous === null) sql = dropPublicSchemaCreation(sql);
      return { provider, dir, current, sql: isEmptyMigration(sql) ? null : sql };
    }),
  );
  const results: CreatedMigration[] = [];
  for (const { provider, dir, current, sql } of planned) {
    if (sql === null) {
      results.push({ provider, folder: null });
      continue;
    }
    const folder = join(dir, `${stamp}_${name}`);
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'migration.sql'), sql);
    await writeFile(join(dir, 'migration_lock.toml'), `# Written by npm run db:migrate; do not edit.\nprovider = "${provider}"\n`);
    // The snapshot is the datamodel this migration leads to: the next diff starts from it.
    await writeFile(join(dir, snapshotName), current.map(([, text]) => text).join('\n'));
    results.push({ provider, folder });
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const name = process.argv[2];
  if (!name) {
    console.error('usage: npm run db:migrate -- <migration_name>');
    process.exit(2);
  }
  createMigration(name).then(
    (results) => {
      for (const { provider, folder } of results) console.log(`${provider}: ${folder ? `created ${folder}` : 'schema unchanged: no migration written'}`);
    },
    (err) => {
      console.error(`db:migrate failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
