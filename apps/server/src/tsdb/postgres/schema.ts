// Tables of the PostgreSQL backend, created at open inside one migration step guarded by an advisory
// lock, so several nodes opening the same database at once do not race.

import type pg from 'pg';
import { rollupUpsertSql } from './query-sql.js';

/** 1: points, series, last values, horizons; 2: minute rollups (built from the points when upgrading). */
export const SCHEMA_VERSION = 2;

/** Quotes an SQL identifier (schema names come from configuration). */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export interface Names {
  schema: string;
  series: string;
  point: string;
  pointSeq: string;
  last: string;
  horizon: string;
  meta: string;
  minute: string;
}

export function namesOf(schema: string): Names {
  const q = (t: string) => `${ident(schema)}.${ident(t)}`;
  return {
    schema,
    series: q('ts_series'),
    point: q('ts_point'),
    pointSeq: q('ts_point_seq'),
    last: q('ts_last'),
    horizon: q('ts_horizon'),
    meta: q('ts_meta'),
    minute: q('ts_minute'),
  };
}

/** Creates or upgrades the tables; throws on a database written by a newer version. */
export async function migrate(client: pg.ClientBase, n: Names): Promise<void> {
  await client.query('BEGIN');
  try {
    // Transaction-scoped: released by COMMIT/ROLLBACK even if this node dies half-way.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`lynx-tsdb:${n.schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${ident(n.schema)}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${n.meta} (key text PRIMARY KEY, value text NOT NULL)`);
    const r = await client.query<{ value: string }>(`SELECT value FROM ${n.meta} WHERE key = 'version'`);
    const version = r.rows.length ? Number(r.rows[0].value) : 0;
    if (version > SCHEMA_VERSION) throw new Error(`time-series schema ${n.schema}: version ${version} is newer than this server (${SCHEMA_VERSION})`);
    if (version < 1) {
      await client.query(`
        CREATE TABLE ${n.series} (
          id serial PRIMARY KEY,
          installation bigint NOT NULL,
          topic text NOT NULL,
          UNIQUE (installation, topic)
        );
        CREATE SEQUENCE ${n.pointSeq};
        CREATE TABLE ${n.point} (
          series integer NOT NULL,
          t bigint NOT NULL,
          seq bigint NOT NULL DEFAULT nextval('${n.pointSeq.replace(/'/g, "''")}'),
          value double precision NOT NULL,
          msg text NOT NULL DEFAULT '',
          PRIMARY KEY (series, t, seq)
        ) PARTITION BY RANGE (t);
        CREATE TABLE ${n.last} (
          series integer PRIMARY KEY,
          t bigint NOT NULL,
          seq bigint NOT NULL,
          value double precision NOT NULL,
          msg text NOT NULL
        );
        CREATE TABLE ${n.horizon} (
          installation bigint PRIMARY KEY,
          raw_micros bigint NOT NULL,
          rollup_micros bigint NOT NULL
        );
      `);
    }
    if (version < 2) {
      await client.query(`
        -- Minute rollups, one row per (series, UTC minute, exponent group of the values; exact-sum-sql.ts):
        -- count, exact significand sum, min, max, and [t, seq, value] of the first and last point.
        CREATE TABLE IF NOT EXISTS ${n.minute} (
          series integer NOT NULL,
          m bigint NOT NULL,
          g integer NOT NULL,
          c bigint NOT NULL,
          s numeric NOT NULL,
          mn double precision NOT NULL,
          mx double precision NOT NULL,
          fa double precision[] NOT NULL,
          la double precision[] NOT NULL,
          PRIMARY KEY (series, m, g)
        );
      `);
      // Same cells as the writer makes, in one pass over whatever points version 1 stored (emptied first:
      // development builds of version 1 already had the table).
      await client.query(`TRUNCATE ${n.minute}`);
      await client.query(`WITH ins AS (SELECT series, t, seq, value FROM ${n.point}) ${rollupUpsertSql(n)}`);
    }
    await client.query(
      `INSERT INTO ${n.meta} (key, value) VALUES ('version', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      [String(SCHEMA_VERSION)],
    );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}
