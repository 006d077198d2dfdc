// The PostgreSQL AAM in a backup: every table of the public schema as JSON lines, read in one
// REPEATABLE READ transaction (one consistent view while the server writes on), and written back in
// one transaction (all or nothing) into a database at the same migration.
//
// Line format: {"t":"<table>","r":<row_to_json of the row>}. json_populate_recordset turns the
// JSON back into the table's own row type, so timestamps, bytea and numbers keep their values.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { postgresConfigFromUrl } from '../aam/store/open-store.js';

const MIGRATIONS = '_prisma_migrations';
const FETCH = 1000;
const INSERT_BATCH = 2000;

function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client(postgresConfigFromUrl(url));
  await client.connect();
  return client;
}

/** Tables of the public schema in foreign-key order (referenced first); self-references noted. */
async function tablesInOrder(c: pg.ClientBase): Promise<{ order: string[]; selfReferencing: Set<string> }> {
  const tables = (await c.query<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")).rows
    .map((r) => r.t)
    .filter((t) => t !== MIGRATIONS);
  const edges = (
    await c.query<{ child: string; parent: string }>(
      `SELECT cl.relname AS child, pl.relname AS parent FROM pg_constraint k
         JOIN pg_class cl ON cl.oid = k.conrelid JOIN pg_class pl ON pl.oid = k.confrelid
         JOIN pg_namespace n ON n.oid = cl.relnamespace
        WHERE k.contype = 'f' AND n.nspname = 'public'`,
    )
  ).rows;
  const selfReferencing = new Set(edges.filter((e) => e.child === e.parent).map((e) => e.child));
  const parents = new Map<string, Set<string>>(tables.map((t) => [t, new Set()]));
  for (const e of edges) if (e.child !== e.parent) parents.get(e.child)?.add(e.parent);
  const order: string[] = [];
  const placed = new Set<string>();
  while (order.length < tables.length) {
    const next = tables.filter((t) => !placed.has(t) && [...parents.get(t)!].every((p) => placed.has(p) || !parents.has(p)));
    // A cycle between tables (none in the schema today): keep going; the insert reports it.
    const batch = next.length ? next : tables.filter((t) => !placed.has(t)).slice(0, 1);
    for (const t of batch) {
      order.push(t);
      placed.add(t);
    }
  }
  return { order, selfReferencing };
}

async function migrationOf(c: pg.ClientBase): Promise<string | null> {
  const exists = (await c.query("SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tablename = $1", [MIGRATIONS])).rowCount;
  if (!exists) return null;
  const unfinished = await c.query(`SELECT 1 FROM ${ident(MIGRATIONS)} WHERE finished_at IS NULL AND rolled_back_at IS NULL`);
  if (unfinished.rowCount) throw new Error('the database has a migration that never finished');
  const r = await c.query<{ m: string }>(
    `SELECT migration_name AS m FROM ${ident(MIGRATIONS)} WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name DESC LIMIT 1`,
  );
  return r.rows[0]?.m ?? null;
}

export interface PostgresDump {
  rows: Record<string, number>;
  migration: string | null;
  size: number;
  sha256: string;
}

/** Writes every row of the AAM tables to `file` (JSON lines) from one consistent view. */
export async function dumpPostgres(url: string, file: string): Promise<PostgresDump> {
  const c = await connect(url);
  const out = createWriteStream(file, { flags: 'wx' });
  const hash = createHash('sha256');
  let size = 0;
  const write = async (text: string) => {
    const buf = Buffer.from(text);
    hash.update(buf);
    size += buf.length;
    if (!out.write(buf)) await once(out, 'drain');
  };
  try {
    await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const migration = await migrationOf(c);
    const { order } = await tablesInOrder(c);
    const rows: Record<string, number> = {};
    for (const table of order) {
      rows[table] = 0;
      const prefix = `{"t":${JSON.stringify(table)},"r":`;
      await c.query(`DECLARE dump NO SCROLL CURSOR FOR SELECT row_to_json(x)::text AS j FROM ${ident(table)} x`);
      for (;;) {
        const page = await c.query<{ j: string }>(`FETCH ${FETCH} FROM dump`);
        if (page.rows.length === 0) break;
        await write(page.rows.map((r) => `${prefix}${r.j}}\n`).join(''));
        rows[table] += page.rows.length;
      }
      await c.query('CLOSE dump');
    }
    await c.query('COMMIT');
    out.end();
    await once(out, 'finish');
    return { rows, migration, size, sha256: hash.digest('hex') };
  } catch (err) {
    out.destroy();
    await c.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    await c.end().catch(() => {});
  }
}

/** Reads and checks a dump without a database: well-formed lines; returns rows per table. */
export async function readPostgresDump(file: string): Promise<Map<string, object[]>> {
  const tables = new Map<string, object[]>();
  let line = 0;
  let current: string | undefined;
  for await (const text of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    line++;
    let doc: { t?: unknown; r?: unknown };
    try {
      doc = JSON.parse(text);
    } catch {
      throw new Error(`the database dump is damaged at line ${line}`);
    }
    if (typeof doc?.t !== 'string' || !doc.r || typeof doc.r !== 'object' || Array.isArray(doc.r)) throw new Error(`the database dump is damaged at line ${line}`);
    // Tables come one after the other; a table seen again means reordered or spliced content.
    if (doc.t !== current) {
      if (tables.has(doc.t)) throw new Error(`the database dump is damaged at line ${line} (table ${doc.t} split)`);
      tables.set(doc.t, []);
      current = doc.t;
    }
    tables.get(doc.t)!.push(doc.r);
  }
  return tables;
}

/** The migration a database is at, null when it was never migrated (an empty database). */
export async function postgresMigration(url: string): Promise<{ migration: string | null; tables: number }> {
  const c = await connect(url);
  try {
    const tables = (await c.query("SELECT 1 FROM pg_tables WHERE schemaname = 'public'")).rowCount ?? 0;
    return { migration: await migrationOf(c), tables };
  } finally {
    await c.end().catch(() => {});
  }
}

/**
 * Replaces every AAM row of the database (at the dump's migration) with the dump's, in one
 * transaction: emptied, filled in foreign-key order, sequences set past the restored ids.
 */
export async function loadPostgres(url: string, dump: Map<string, object[]>): Promise<Record<string, number>> {
  const c = await connect(url);
  try {
    await c.query('BEGIN');
    const { order, selfReferencing } = await tablesInOrder(c);
    for (const t of dump.keys()) if (!order.includes(t)) throw new Error(`the database has no table ${t}`);
    if (order.length) await c.query(`TRUNCATE ${order.map(ident).join(', ')} RESTART IDENTITY CASCADE`);
    const rows: Record<string, number> = {};
    for (const table of order) {
      const all = dump.get(table) ?? [];
      rows[table] = all.length;
      // Foreign keys are checked at the end of each statement: a self-referencing table goes in one.
      const size = selfReferencing.has(table) ? Math.max(all.length, 1) : INSERT_BATCH;
      for (let i = 0; i < all.length; i += size) {
        await c.query(`INSERT INTO ${ident(table)} SELECT * FROM json_populate_recordset(NULL::${ident(table)}, $1::json)`, [JSON.stringify(all.slice(i, i + size))]);
      }
    }
    const serials = await c.query<{ t: string; col: string }>(
      `SELECT table_name AS t, column_name AS col FROM information_schema.columns
        WHERE table_schema = 'public' AND (column_default LIKE 'nextval(%' OR is_identity = 'YES')`,
    );
    for (const { t, col } of serials.rows) {
      if (t === MIGRATIONS) continue;
      await c.query(`SELECT setval(pg_get_serial_sequence($1, $2), COALESCE((SELECT max(${ident(col)}) FROM ${ident(t)}), 0) + 1, false)`, [ident(t), col]);
    }
    await c.query('COMMIT');
    return rows;
  } catch (err) {
    await c.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    await c.end().catch(() => {});
  }
}
