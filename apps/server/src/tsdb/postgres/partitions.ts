// Monthly range partitions of ts_point, created on demand before an insert needs them. Monthly rather
// than daily: a store holding years of data keeps a few dozen partitions, not thousands; retention
// drops a month once every installation's horizon has passed it and DELETEs at the partial edge.

import type pg from 'pg';
import { ident, type Names } from './schema.js';

export interface MonthRange {
  /** Inclusive start and exclusive end, microseconds since the epoch. */
  lo: number;
  hi: number;
  name: string;
}

/** The UTC month holding `micros`. */
export function monthOf(micros: number): MonthRange {
  const d = new Date(Math.floor(micros / 1000));
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const lo = Date.UTC(y, m, 1) * 1000;
  const hi = Date.UTC(y, m + 1, 1) * 1000;
  return { lo, hi, name: `ts_point_m${String(y).padStart(4, '0')}${String(m + 1).padStart(2, '0')}` };
}

/** Existing partitions (name and bounds), read from the catalogue. */
export async function listPartitions(db: pg.Pool | pg.ClientBase, n: Names): Promise<MonthRange[]> {
  const r = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = $1::regclass`,
    [n.point],
  );
  const out: MonthRange[] = [];
  for (const { name } of r.rows) {
    const m = /^ts_point_m(\d{4})(\d{2})$/.exec(name);
    if (!m) continue;
    const lo = Date.UTC(Number(m[1]), Number(m[2]) - 1, 1) * 1000;
    out.push(monthOf(lo));
  }
  return out.sort((a, b) => a.lo - b.lo);
}

const RACE_CODES = new Set(['42P07', '23505', '40P01']);

/**
 * Creates the partition for one month if missing. Two nodes may create it at the same moment:
 * IF NOT EXISTS does not cover the catalogue race (duplicate type or relation, or a deadlock on the
 * parent), so those errors are retried; the second attempt then finds the table.
 */
export async function ensurePartition(db: pg.Pool, n: Names, month: MonthRange): Promise<void> {
  const sql = `CREATE TABLE IF NOT EXISTS ${ident(n.schema)}.${ident(month.name)} PARTITION OF ${n.point}
    FOR VALUES FROM (${month.lo}) TO (${month.hi})`;
  for (let attempt = 0; ; attempt++) {
    try {
      await db.query(sql);
      return;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (attempt >= 4 || !code || !RACE_CODES.has(code)) throw err;
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * (attempt + 1)));
    }
  }
}
