// A throwaway PostgreSQL database for the tsdb specs, on the test server of the AAM specs
// (LYNX_TEST_POSTGRES_URL). Named like theirs so the global teardown's sweep finds leftovers.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { newRunId, postgresAdminUrl, probePostgres } from '../../aam/store/test-helpers.js';

export interface TsdbTestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** Null when the server answers; throws under CI, where every backend must be tested. */
export async function postgresUnavailable(): Promise<string | null> {
  const why = await probePostgres();
  if (why && process.env.CI) throw new Error(`PostgreSQL unreachable under CI: ${why}`);
  return why;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: postgresAdminUrl() });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => {});
  }
}

export async function createTsdbTestDatabase(): Promise<TsdbTestDatabase> {
  process.env.LYNX_TEST_RUN_ID ||= newRunId();
  const name = `lynx_test_${process.env.LYNX_TEST_RUN_ID}_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  const u = new URL(postgresAdminUrl());
  u.pathname = `/${name}`;
  return { url: u.toString(), drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => {}) };
}
