// Opens the AAM's SQL database: picks the provider from the URL, applies committed migrations with
// the wasm schema engine when any is pending, and returns a Prisma client on the same driver adapter.
// The provider's adapter and client are imported when opened: a start on SQLite never loads pg or the
// PostgreSQL client, and the schema engine only loads when the migration check asks for it.
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import type { PrismaClient as PostgresClient } from './generated/postgresql/client.js';
import type { PrismaClient as SqliteClient } from './generated/sqlite/client.js';
import { migrationChecksum, migrationsUpToDate, type LocalMigration } from './migration-status.js';
import { oneTransactionAtATime, postgresConfigFromUrl, redactDatabaseUrl } from './postgres-adapter.js';

export { postgresConfigFromUrl, redactDatabaseUrl };

export type StoreProvider = 'sqlite' | 'postgresql';
export const storeProviders: readonly StoreProvider[] = ['sqlite', 'postgresql'];

/**
 * The client repositories are written against. Both generated clients come from the same models,
 * but their types are not assignable to each other, so the PostgreSQL client is handed out under
 * the SQLite client's type (see `asAamDb`). That is sound because the models use only the common
 * subset: `client-compat.ts` checks at compile time that every argument the SQLite client accepts
 * is accepted by the PostgreSQL one and that results have the same shape, and every AAM spec and
 * REST test runs on both providers.
 */
export type AamDb = SqliteClient;

/** apps/server/prisma, whether running from src (tsx, vitest) or dist. */
export const prismaDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../prisma');

// True only inside the server bundle (esbuild `define`, scripts/bundle.mjs): there the migrations and
// schemas sit in migrations/<provider> and schema/<provider> beside the entry file, not in prisma/.
declare const LYNX_BUNDLED: boolean | undefined;
const bundleDir = typeof LYNX_BUNDLED !== 'undefined' && LYNX_BUNDLED ? dirname(fileURLToPath(import.meta.url)) : null;

export interface OpenedStore {
  db: AamDb;
  provider: StoreProvider;
  /** The database URL with any password replaced, safe to log. */
  location: string;
  appliedMigrations: string[];
  /** False when the migration check found the database up to date and the engine stayed unloaded. */
  ranSchemaEngine: boolean;
  close(): Promise<void>;
}

export function sqliteFileFromUrl(url: string): string | null {
  if (!url.startsWith('file:')) return null;
  return url.slice('file:'.length).replace(/^\/\/(?=\/)/, '');
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

export async function schemaFiles(provider: StoreProvider): Promise<[string, string][]> {
  const dir = bundleDir ? join(bundleDir, 'schema', provider) : join(prismaDir, provider);
  return Promise.all(
    ['schema.prisma', 'models.prisma'].map(async (name) => [join(dir, name), await readFile(join(dir, name), 'utf8')] as [string, string]),
  );
}

export function migrationsDir(provider: StoreProvider): string {
  return bundleDir ? join(bundleDir, 'migrations', provider) : join(prismaDir, provider, 'migrations');
}

/** The one place the PostgreSQL client is viewed as `AamDb`; see `AamDb` for why that holds. */
function asAamDb(db: PostgresClient): AamDb {
  return db as unknown as AamDb;
}

/** Folder names and checksums of the committed migrations; null if a folder cannot be read. */
async function readLocalMigrations(dir: string): Promise<LocalMigration[] | null> {
  try {
    const names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    return await Promise.all(names.map(async (name) => ({ name, checksum: migrationChecksum(await readFile(join(dir, name, 'migration.sql'), 'utf8')) })));
  } catch {
    // The engine reads the folder again and reports what is wrong with it.
    return null;
  }
}

/** Applies pending migrations; the check costs one query, the engine about half a second. */
async function migrate(provider: StoreProvider, dir: string, adapterFactory: SqlMigrationAwareDriverAdapterFactory): Promise<{ applied: string[]; ranEngine: boolean }> {
  const local = await readLocalMigrations(dir);
  if (local && (await migrationsUpToDate(local, adapterFactory))) return { applied: [], ranEngine: false };
  const { applyMigrations } = await import('./schema-engine.js');
  return { applied: await applyMigrations({ dir, schemaFiles: await schemaFiles(provider) }, adapterFactory), ranEngine: true };
}

export interface StoreOptions {
  /** Migrations to apply instead of the committed ones of the provider (upgrade tests). */
  migrationsDir?: string;
  /** Called with every SQL statement the client sends (specs count queries with it). */
  onQuery?: (sql: string) => void;
}

export async function openStore(databaseUrl: string, opts: StoreOptions = {}): Promise<OpenedStore> {
  const file = sqliteFileFromUrl(databaseUrl);
  if (file !== null) return openSqlite(file, databaseUrl, opts);
  if (isPostgresUrl(databaseUrl)) return openPostgres(databaseUrl, opts);
  throw new Error(`unsupported database URL "${redactDatabaseUrl(databaseUrl)}": expected file:<path> (SQLite) or postgresql://...`);
}

const queryEvents = [{ emit: 'event', level: 'query' }] as const;

async function openSqlite(file: string, url: string, opts: StoreOptions): Promise<OpenedStore> {
  await mkdir(dirname(file), { recursive: true });
  const [{ PrismaBetterSqlite3 }, { PrismaClient }] = await Promise.all([import('@prisma/adapter-better-sqlite3'), import('./generated/sqlite/client.js')]);
  // WAL lets readers proceed during writes; a busy timeout rides out the migration connection.
  const factory = new PrismaBetterSqlite3({ url: file, timeout: 5000 });
  const { applied: appliedMigrations, ranEngine } = await migrate('sqlite', opts.migrationsDir ?? migrationsDir('sqlite'), factory);
  const db = new PrismaClient({ adapter: factory, log: opts.onQuery ? [...queryEvents] : [] });
  if (opts.onQuery) db.$on('query', (e) => opts.onQuery!(e.query));
  await db.$executeRawUnsafe('PRAGMA journal_mode = WAL');
  await db.$executeRawUnsafe('PRAGMA foreign_keys = ON');
  return {
    db,
    provider: 'sqlite',
    location: url,
    appliedMigrations,
    ranSchemaEngine: ranEngine,
    close: () => db.$disconnect(),
  };
}

async function openPostgres(url: string, opts: StoreOptions): Promise<OpenedStore> {
  const config = postgresConfigFromUrl(url);
  const [{ PrismaPg }, { PrismaClient }] = await Promise.all([import('@prisma/adapter-pg'), import('./generated/postgresql/client.js')]);
  // The check and the engine get their own short-lived pools, closed before the client opens its own.
  const { applied: appliedMigrations, ranEngine } = await migrate('postgresql', opts.migrationsDir ?? migrationsDir('postgresql'), new PrismaPg(config));
  const db = new PrismaClient({ adapter: oneTransactionAtATime(new PrismaPg(config)), log: opts.onQuery ? [...queryEvents] : [] });
  if (opts.onQuery) db.$on('query', (e) => opts.onQuery!(e.query));
  // Fail here, with the connection error, rather than on the first request.
  await db.$connect();
  return {
    db: asAamDb(db),
    provider: 'postgresql',
    location: redactDatabaseUrl(url),
    appliedMigrations,
    ranSchemaEngine: ranEngine,
    close: () => db.$disconnect(),
  };
}
