// Throwaway AAM databases for specs and integration tests. `LYNX_TEST_DB=postgres` (set by the
// vitest "postgres" project) puts every store on its own PostgreSQL database, created on the
// server of `LYNX_TEST_POSTGRES_URL` and dropped afterwards; otherwise stores are SQLite files.
// Kept free of Prisma imports: vitest's config loads it to probe the server.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const defaultPostgresAdminUrl = 'postgresql://postgres@127.0.0.1:5432/postgres';

export type TestDbKind = 'sqlite' | 'postgres';

export function testDbKind(): TestDbKind {
  return process.env.LYNX_TEST_DB === 'postgres' ? 'postgres' : 'sqlite';
}

/** A database on the test server that every run may connect to for CREATE/DROP DATABASE. */
export function postgresAdminUrl(): string {
  return process.env.LYNX_TEST_POSTGRES_URL || defaultPostgresAdminUrl;
}

const namePrefix = 'lynx_test_';

/**
 * Names carry the run's start time so a later run can sweep what a killed run left behind,
 * without touching databases of a run that is still going on the same server.
 */
export function newRunId(now = Date.now()): string {
  return `${now.toString(36)}${randomBytes(2).toString('hex')}`;
}

function runId(): string {
  process.env.LYNX_TEST_RUN_ID ||= newRunId();
  return process.env.LYNX_TEST_RUN_ID;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>, connectionTimeoutMillis = 10_000): Promise<T> {
  const client = new pg.Client({ connectionString: postgresAdminUrl(), connectionTimeoutMillis });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Null when the test server answers, else why not (one line, password-free). */
export async function probePostgres(timeoutMs = 3000): Promise<string | null> {
  try {
    await withAdmin((c) => c.query('SELECT 1'), timeoutMs);
    return null;
  } catch (err) {
    return (err instanceof Error ? err.message : String(err)).split('\n')[0] || 'connection failed';
  }
}

export interface TestDatabase {
  kind: TestDbKind;
  url: string;
  drop(): Promise<void>;
}

async function dropDatabase(name: string): Promise<void> {
  // FORCE: a server under test may still hold connections when its test cleans up.
  await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/** An empty database: `sqliteFile` is used on SQLite; on PostgreSQL a new database is created. */
export async function createTestDatabase(sqliteFile: string): Promise<TestDatabase> {
  if (testDbKind() === 'sqlite') return { kind: 'sqlite', url: `file:${sqliteFile}`, drop: async () => {} };
  const name = `${namePrefix}${runId()}_${randomBytes(6).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE DATABASE "${name}"`));
  let dropped: Promise<void> | undefined;
  return { kind: 'postgres', url: withDatabase(postgresAdminUrl(), name), drop: () => (dropped ??= dropDatabase(name)) };
}

/**
 * Drops this run's databases that tests did not drop themselves, and those of runs that started
 * more than `staleAfterMs` ago (killed before they could clean up).
 */
export async function sweepTestDatabases(staleAfterMs = 6 * 3600_000): Promise<string[]> {
  const own = process.env.LYNX_TEST_RUN_ID;
  const names = await withAdmin(async (c) => (await c.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${namePrefix}%`])).rows.map((r) => r.datname));
  const doomed = names.filter((name) => {
    const id = name.slice(namePrefix.length).split('_')[0];
    if (own && id === own) return true;
    const started = parseInt(id.slice(0, -4), 36);
    return Number.isFinite(started) && Date.now() - started > staleAfterMs;
  });
  for (const name of doomed) await dropDatabase(name);
  return doomed;
}
