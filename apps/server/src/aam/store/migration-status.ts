// Tells at start whether the database already holds every committed migration, from one query on
// Prisma's `_prisma_migrations` table. Loading the wasm schema engine costs about half a second of
// start-up; it only needs to run when something is pending, missing or odd.
import { createHash } from 'node:crypto';
import type { SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils';

/** A committed migration as the engine records it: folder name and SHA-256 (hex) of its script. */
export interface LocalMigration {
  name: string;
  checksum: string;
}

/** The engine's checksum of a migration script (hex SHA-256 of its bytes). */
export function migrationChecksum(script: string): string {
  return createHash('sha256').update(script, 'utf8').digest('hex');
}

interface AppliedRow {
  name: string;
  checksum: string;
  finished: boolean;
  rolledBack: boolean;
}

/**
 * True only when the database's history is exactly the committed set, each one finished, not
 * rolled back and with the same checksum. Everything else (no table yet, a pending, failed, edited
 * or unknown migration, a query error) answers false, so the engine decides as it always did: this
 * check may only ever skip work the engine would have found to be nothing.
 */
export async function migrationsUpToDate(local: readonly LocalMigration[], adapterFactory: SqlDriverAdapterFactory): Promise<boolean> {
  if (local.length === 0) return false;
  const rows = await appliedMigrations(adapterFactory);
  if (rows === null) return false;
  const live = rows.filter((r) => !r.rolledBack);
  // A started but unfinished migration: the engine refuses to go on, and must say so.
  if (live.some((r) => !r.finished)) return false;
  const applied = new Map(live.map((r) => [r.name, r.checksum]));
  if (applied.size !== live.length || applied.size !== local.length) return false;
  return local.every((m) => applied.get(m.name) === m.checksum);
}

/** Rows of `_prisma_migrations`, or null when it cannot be read (a fresh database has none). */
async function appliedMigrations(adapterFactory: SqlDriverAdapterFactory): Promise<AppliedRow[] | null> {
  let adapter;
  try {
    adapter = await adapterFactory.connect();
  } catch {
    // The engine connects next and reports the connection error in its own words.
    return null;
  }
  try {
    const result = await adapter.queryRaw({
      sql: 'SELECT "migration_name", "checksum", "finished_at", "rolled_back_at" FROM "_prisma_migrations"',
      args: [],
      argTypes: [],
    });
    return result.rows.map(([name, checksum, finishedAt, rolledBackAt]) => ({
      name: String(name),
      checksum: String(checksum),
      finished: finishedAt !== null && finishedAt !== undefined,
      rolledBack: rolledBackAt !== null && rolledBackAt !== undefined,
    }));
  } catch {
    return null;
  } finally {
    await adapter.dispose().catch(() => {});
  }
}
