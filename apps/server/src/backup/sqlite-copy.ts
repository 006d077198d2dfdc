// The SQLite AAM in a backup: a consistent copy taken on a read connection of its own (WAL lets the
// server keep writing meanwhile), and the checks a restore runs on a copy before trusting it.
import Database from 'better-sqlite3';

/** Copies the database as of one read transaction into `dest` (which must not exist). */
export function copySqlite(src: string, dest: string): void {
  let db: Database.Database;
  try {
    db = new Database(src, { readonly: true, fileMustExist: true, timeout: 5000 });
  } catch (err) {
    throw new Error(`cannot open the AAM database ${src}: ${(err as Error).message}`);
  }
  try {
    db.prepare('VACUUM INTO ?').run(dest);
  } finally {
    db.close();
  }
}

export interface SqliteFacts {
  /** Rows per table (Prisma's own `_prisma_migrations` left out). */
  rows: Record<string, number>;
  /** Newest finished migration, null for a database Prisma never migrated. */
  migration: string | null;
}

/** Reads the row counts and the migration a database is at. */
export function sqliteFacts(file: string): SqliteFacts {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return factsOf(db);
  } finally {
    db.close();
  }
}

function factsOf(db: Database.Database): SqliteFacts {
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck()
    .all() as string[];
  const rows: Record<string, number> = {};
  for (const name of tables) {
    if (name === '_prisma_migrations') continue;
    rows[name] = db.prepare(`SELECT count(*) FROM "${name.replace(/"/g, '""')}"`).pluck().get() as number;
  }
  let migration: string | null = null;
  if (tables.includes('_prisma_migrations')) {
    const unfinished = db.prepare('SELECT count(*) FROM _prisma_migrations WHERE finished_at IS NULL AND rolled_back_at IS NULL').pluck().get() as number;
    if (unfinished > 0) throw new Error('the database has a migration that never finished');
    migration =
      (db
        .prepare('SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name DESC LIMIT 1')
        .pluck()
        .get() as string | undefined) ?? null;
  }
  return { rows, migration };
}

/** Full integrity check, then the same facts as {@link sqliteFacts}; throws with SQLite's findings. */
export function checkSqlite(file: string): SqliteFacts {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new Error(`the database copy cannot be opened: ${(err as Error).message}`);
  }
  try {
    const findings = db.prepare('PRAGMA integrity_check').pluck().all() as string[];
    if (findings.length !== 1 || findings[0] !== 'ok') throw new Error(`the database copy is damaged: ${findings.slice(0, 3).join('; ')}`);
    return factsOf(db);
  } catch (err) {
    // better-sqlite3 reports a damaged header as "file is not a database" on the first statement.
    if ((err as { code?: string }).code?.startsWith('SQLITE_')) throw new Error(`the database copy is damaged: ${(err as Error).message}`);
    throw err;
  } finally {
    db.close();
  }
}
