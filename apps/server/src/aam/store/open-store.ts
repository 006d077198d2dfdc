// Opens the AAM's SQL database: picks the provider from the URL, applies committed migrations with
// the wasm schema engine, and returns a Prisma client on the same driver adapter.
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient } from './generated/sqlite/client.js';
import { applyMigrations } from './schema-engine.js';

export type AamDb = PrismaClient;

/** apps/server/prisma, whether running from src (tsx, vitest) or dist. */
export const prismaDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../prisma');

export interface OpenedStore {
  db: AamDb;
  provider: 'sqlite';
  appliedMigrations: string[];
  close(): Promise<void>;
}

export function sqliteFileFromUrl(url: string): string | null {
  if (!url.startsWith('file:')) return null;
  return url.slice('file:'.length).replace(/^\/\/(?=\/)/, '');
}

export async function schemaFiles(provider: 'sqlite'): Promise<[string, string][]> {
  const dir = join(prismaDir, provider);
  return Promise.all(
    ['schema.prisma', 'models.prisma'].map(async (name) => [join(dir, name), await readFile(join(dir, name), 'utf8')] as [string, string]),
  );
}

export async function openStore(databaseUrl: string): Promise<OpenedStore> {
  const file = sqliteFileFromUrl(databaseUrl);
  if (file === null) {
    throw new Error(`unsupported database URL "${databaseUrl.replace(/:[^:@/]*@/, ':***@')}": only file: (SQLite) is available in this version`);
  }
  await mkdir(dirname(file), { recursive: true });
  // WAL lets readers proceed during writes; a busy timeout rides out the migration connection.
  const factory = new PrismaBetterSqlite3({ url: file, timeout: 5000 });
  const appliedMigrations = await applyMigrations({ dir: join(prismaDir, 'sqlite', 'migrations'), schemaFiles: await schemaFiles('sqlite') }, factory);
  const db = new PrismaClient({ adapter: factory });
  await db.$executeRawUnsafe('PRAGMA journal_mode = WAL');
  await db.$executeRawUnsafe('PRAGMA foreign_keys = ON');
  return {
    db,
    provider: 'sqlite',
    appliedMigrations,
    close: () => db.$disconnect(),
  };
}
