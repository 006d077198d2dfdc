// SQL for one SeriesQuery: the page and its total in ONE statement, so both describe the same snapshot
// while other nodes keep inserting. The series of the query come in as ($ids, $ranks): ranks are the
// topics' order as JavaScript compares them, the tie-break the LevelDB backend uses across topics.

import type { AggregationMethod } from '../types.js';
import { bitsOf, significandColumns } from './exact-sum-sql.js';
import type { Names } from './schema.js';

/** What the client does with an aggregated row's columns. */
export type AggregateKind = 'count' | 'minmax' | 'sum' | 'pick' | 'percentile' | 'values';

/** percentile(N) as a fraction; median is percentile(50). */
export function percentileFraction(method: AggregationMethod): number {
  return typeof method === 'string' ? 0.5 : method.percentile / 100;
}

export function aggregateKind(method: AggregationMethod): AggregateKind {
  if (typeof method !== 'string') return 'percentile';
  switch (method) {
    case 'count':
      return 'count';
    case 'min':
    case 'max':
    case 'spread':
      return 'minmax';
    case 'sum':
    case 'avg':
      return 'sum';
    case 'first':
    case 'last':
      return 'pick';
    case 'median':
      return 'percentile';
    default:
      // stddev: every value of the bucket, in scan order (the Welford update in aggregate.ts depends on it).
      return 'values';
  }
}

export interface SqlText {
  text: string;
  values: unknown[];
}

interface Common {
  n: Names;
  installationId: number;
  ids: number[];
  ranks: number[];
  lo: number;
  hi: number;
  desc: boolean;
  offset: number;
  limit: number;
  includeTotal: boolean;
}

// $1 ids, $2 ranks, $3 lo, $4 hi, $5 installation, $6 offset, $7 limit: shared by both statements.
function head(c: Common): { values: unknown[]; lo: string; range: string } {
  const values: unknown[] = [c.ids, c.ranks, c.lo, c.hi, c.installationId, c.offset, c.limit];
  // The horizon is read in the same statement: a sweep moving it meanwhile cannot show half-deleted data.
  const lo = `greatest($3::int8, coalesce((SELECT raw_micros FROM ${c.n.horizon} WHERE installation = $5), $3::int8))`;
  return { values, lo, range: `p.t >= (SELECT lo FROM lim) AND p.t <= $4::int8` };
}

/** Raw points: columns n, rk, t, seq, value, msg (n on every row; one all-null row when the page is empty). */
export function rawPageSql(c: Common): SqlText {
  const { values, lo, range } = head(c);
  const dir = c.desc ? 'DESC' : 'ASC';
  // Each series contributes at most offset + limit + 1 rows (through its (series, t, seq) index), so a
  // page over many topics reads a bounded number of rows; their count capped there is the "rows seen".
  values.push(c.offset + c.limit + 1);
  const total = c.includeTotal
    ? `SELECT count(*)::float8 AS n FROM ${c.n.point} p WHERE p.series = ANY($1::int[]) AND ${range}`
    : `SELECT least(count(*), $8::int8)::float8 AS n FROM cand`;
  const text = `
    WITH lim AS (SELECT ${lo} AS lo),
    cand AS MATERIALIZED (
      SELECT s.rk, p.t, p.seq, p.value, p.msg
        FROM unnest($1::int[], $2::int[]) AS s(id, rk)
        CROSS JOIN LATERAL (
          SELECT p.t, p.seq, p.value, p.msg FROM ${c.n.point} p
           WHERE p.series = s.id AND ${range}
           ORDER BY p.t ${dir}, p.seq ${dir} LIMIT $8::int8
        ) p
    )
    SELECT c.n, x.rk, x.t::float8 AS t, x.value, x.msg
      FROM (${total}) c
      LEFT JOIN LATERAL (
        SELECT * FROM cand ORDER BY t ${dir}, rk ${dir}, seq ${dir} OFFSET $6::int8 LIMIT $7::int8
      ) x ON true
     ORDER BY x.t ${dir}, x.rk ${dir}, x.seq ${dir}`;
  return { text, values };
}

/** Aggregated rows: columns n, rk, b (bucket start), then per kind: c | mn, mx | c, gs, ss | fv, lv | pv | vs. */
export function aggregatePageSql(c: Common & { method: AggregationMethod; intervalMicros: number }): SqlText {
  const { values, lo, range } = head(c);
  const dir = c.desc ? 'DESC' : 'ASC';
  values.push(c.intervalMicros);
  const bucket = floorTo('p.t', '$8::int8');
  const kind = aggregateKind(c.method);
  const where = `p.series = ANY($1::int[]) AND ${range}`;
  let grp: string;
  switch (kind) {
    case 'count':
      grp = `SELECT p.series, ${bucket} AS b, count(*)::float8 AS c FROM ${c.n.point} p WHERE ${where} GROUP BY 1, 2`;
      break;
    case 'minmax':
      grp = `SELECT p.series, ${bucket} AS b, min(p.value) AS mn, max(p.value) AS mx FROM ${c.n.point} p WHERE ${where} GROUP BY 1, 2`;
      break;
    case 'pick':
      // Arrays compare element-wise: (time, arrival) decide, both exact in float8 (< 2^53).
      grp = `SELECT p.series, ${bucket} AS b,
          (min(ARRAY[p.t::float8, p.seq::float8, p.value]))[3] AS fv,
          (max(ARRAY[p.t::float8, p.seq::float8, p.value]))[3] AS lv
        FROM ${c.n.point} p WHERE ${where} GROUP BY 1, 2`;
      break;
    case 'percentile':
      // Same interpolation as percentileOfSorted (aggregate.ts): lo + (hi - lo) * frac, rank = p * (n - 1).
      values.push(percentileFraction(c.method));
      grp = `SELECT p.series, ${bucket} AS b, percentile_cont($9::float8) WITHIN GROUP (ORDER BY p.value) AS pv
        FROM ${c.n.point} p WHERE ${where} GROUP BY 1, 2`;
      break;
    case 'values':
      grp = `SELECT p.series, ${bucket} AS b, array_agg(p.value ORDER BY p.t ${dir}, p.seq ${dir}) AS vs
        FROM ${c.n.point} p WHERE ${where} GROUP BY 1, 2`;
      break;
    case 'sum':
      grp = `SELECT series, b, sum(c)::float8 AS c, array_agg(g) AS gs, array_agg(s::text) AS ss FROM (
          SELECT series, b, g, count(*) AS c, sum(m) AS s FROM (
            SELECT series, b, ${significandColumns('bits')} FROM (
              SELECT p.series, ${bucket} AS b, ${bitsOf('p.value')} AS bits FROM ${c.n.point} p WHERE ${where} OFFSET 0
            ) r
          ) q GROUP BY 1, 2, 3
        ) e GROUP BY 1, 2`;
      break;
  }
  const text = pageOfGroups(`lim AS (SELECT ${lo} AS lo)`, grp, dir);
  return { text, values };
}

/** Floor to a multiple of `size` (an SQL int8 expression) without overflow; int8 division truncates toward 0. */
export function floorTo(x: string, size: string): string {
  return `((${x}) / ${size} - CASE WHEN (${x}) % ${size} < 0 THEN 1 ELSE 0 END) * ${size}`;
}

/** Wraps the per-(series, bucket) rows `grp` into the ordered page plus the count of every bucket. */
function pageOfGroups(ctes: string, grp: string, dir: string): string {
  return `
    WITH ${ctes},
    grp AS MATERIALIZED (${grp}),
    ranked AS (SELECT grp.*, s.rk FROM grp JOIN unnest($1::int[], $2::int[]) AS s(id, rk) ON s.id = grp.series)
    SELECT c.n, x.*, x.b::float8 AS bt
      FROM (SELECT count(*)::float8 AS n FROM grp) c
      LEFT JOIN LATERAL (SELECT * FROM ranked ORDER BY b ${dir}, rk ${dir} OFFSET $6::int8 LIMIT $7::int8) x ON true
     ORDER BY x.b ${dir}, x.rk ${dir}`;
}

const MINUTE = 60_000_000;

/**
 * Whether an aggregation is answered from minute rollups: a rollup method, and buckets that are whole
 * minutes or at least 10 minutes long (then only the minutes holding a bucket boundary read raw points),
 * the rule of the LevelDB backend (rollup-cursor.ts rollupsServe).
 */
export function rollupsAnswer(method: AggregationMethod, intervalMicros: number): boolean {
  const kind = aggregateKind(method);
  const rollupKind = kind === 'count' || kind === 'minmax' || kind === 'sum' || kind === 'pick';
  return rollupKind && (intervalMicros % MINUTE === 0 || intervalMicros >= 10 * MINUTE);
}

/**
 * The same rows as aggregatePageSql, from whole minutes of ts_minute plus the raw points of the partial
 * minutes at either end of [lo, hi]. Like the LevelDB rollups, it starts at the rollup horizon and uses
 * whole minutes only before the raw horizon.
 */
export function rollupPageSql(c: Common & { method: AggregationMethod; intervalMicros: number }): SqlText {
  const values: unknown[] = [c.ids, c.ranks, c.lo, c.hi, c.installationId, c.offset, c.limit, c.intervalMicros];
  const dir = c.desc ? 'DESC' : 'ASC';
  const W = `${MINUTE}::int8`;
  // wlo = first whole minute at or after the (rollup-clamped) start, whi = end of the last whole minute;
  // whi >= wlo, so head [rawlo, wlo), minutes [wlo, whi) and tail [whi, hi] never overlap.
  const ctes = `lim AS (
      SELECT greatest($3::int8, coalesce(h.raw_micros, $3::int8)) AS rawlo, greatest($3::int8, coalesce(h.rollup_micros, $3::int8)) AS rolllo
        FROM (SELECT 1) o LEFT JOIN ${c.n.horizon} h ON h.installation = $5),
    win AS (SELECT rawlo, wlo, greatest(whi, wlo) AS whi FROM (
      SELECT rawlo, -(${floorTo('-rolllo', W)}) AS wlo, ${floorTo('$4::int8 + 1', W)} AS whi FROM lim) x)`;
  const kind = aggregateKind(c.method);
  const rawCols =
    kind === 'count' ? '1::int8 AS c'
    : kind === 'minmax' ? 'p.value AS mn, p.value AS mx'
    : kind === 'pick' ? 'ARRAY[p.t::float8, p.seq::float8, p.value] AS fa, ARRAY[p.t::float8, p.seq::float8, p.value] AS la'
    : `1::int8 AS c, ${bitsOf('p.value')} AS bits`;
  const cellCols = kind === 'count' ? 'r.c' : kind === 'minmax' ? 'r.mn, r.mx' : kind === 'pick' ? 'r.fa, r.la' : 'r.c, r.g, r.s AS m';
  const rawBucket = floorTo('p.t', '$8::int8');
  const raw = (range: string) => `SELECT p.series, ${rawBucket} AS b, ${rawCols} FROM ${c.n.point} p WHERE p.series = ANY($1::int[]) AND ${range}`;
  const head = raw('p.t >= (SELECT rawlo FROM win) AND p.t < (SELECT wlo FROM win) AND p.t <= $4::int8');
  const tail = raw('p.t >= (SELECT greatest(rawlo, whi) FROM win) AND p.t <= $4::int8');
  let rawParts = `${head} UNION ALL ${tail}`;
  const aligned = c.intervalMicros % MINUTE === 0;
  if (!aligned) {
    // Minutes holding a bucket boundary belong to two buckets: their raw points, one index range per
    // such minute that holds data (every stored point has its minute row, so the minute rows list them).
    // LATERAL + OFFSET 0 keeps it one index range per minute: as a join (LATERAL alone is flattened into
    // one) the planner hashed on series and compared every point with every such minute.
    rawParts += ` UNION ALL SELECT p.series, ${rawBucket} AS b, ${rawCols}
        FROM (SELECT DISTINCT r.series, r.m FROM ${c.n.minute} r
               WHERE r.series = ANY($1::int[]) AND r.m >= (SELECT wlo FROM win) AND r.m < (SELECT whi FROM win)
                 AND ${floorTo('r.m', '$8::int8')} <> ${floorTo(`r.m + ${W} - 1`, '$8::int8')}) k
        CROSS JOIN LATERAL (SELECT p.* FROM ${c.n.point} p
          WHERE p.series = k.series AND p.t >= k.m AND p.t < k.m + ${W} AND p.t >= (SELECT rawlo FROM win) OFFSET 0) p`;
  }
  // The bits are computed once per row behind the OFFSET 0 fence (inlined, every use would recompute them).
  const rawRows = kind === 'sum' ? `SELECT series, b, c, ${significandColumns('bits')} FROM (${rawParts} OFFSET 0) r` : rawParts;
  const straddles = aligned ? '' : ` AND ${floorTo('r.m', '$8::int8')} = ${floorTo(`r.m + ${W} - 1`, '$8::int8')}`;
  const cells = `SELECT r.series, ${floorTo('r.m', '$8::int8')} AS b, ${cellCols} FROM ${c.n.minute} r
      WHERE r.series = ANY($1::int[]) AND r.m >= (SELECT wlo FROM win) AND r.m < (SELECT whi FROM win)${straddles}`;
  const src = `${rawRows} UNION ALL ${cells}`;
  let grp: string;
  switch (kind) {
    case 'count':
      grp = `SELECT series, b, sum(c)::float8 AS c FROM (${src}) u GROUP BY 1, 2`;
      break;
    case 'minmax':
      grp = `SELECT series, b, min(mn) AS mn, max(mx) AS mx FROM (${src}) u GROUP BY 1, 2`;
      break;
    case 'pick':
      grp = `SELECT series, b, (min(fa))[3] AS fv, (max(la))[3] AS lv FROM (${src}) u GROUP BY 1, 2`;
      break;
    default:
      grp = `SELECT series, b, sum(c)::float8 AS c, array_agg(g) AS gs, array_agg(s::text) AS ss FROM (
          SELECT series, b, g, sum(c) AS c, sum(m) AS s FROM (${src}) u GROUP BY 1, 2, 3
        ) e GROUP BY 1, 2`;
  }
  return { text: pageOfGroups(ctes, grp, dir), values };
}

/** The minute-rollup upsert of a write statement, over the CTE `ins` (series, t, seq, value of the new points). */
export function rollupUpsertSql(n: Names): string {
  const W = `${MINUTE}::int8`;
  // ORDER BY: every node takes the row locks in the same order, so concurrent batches cannot deadlock.
  return `INSERT INTO ${n.minute} AS r (series, m, g, c, s, mn, mx, fa, la)
    SELECT series, mm, g, count(*), sum(m), min(value), max(value), min(a), max(a) FROM (
      SELECT series, mm, value, a, ${significandColumns('bits')} FROM (
        SELECT series, ${floorTo('t', W)} AS mm, value, ARRAY[t::float8, seq::float8, value] AS a, ${bitsOf('value')} AS bits FROM ins OFFSET 0
      ) x
    ) y GROUP BY series, mm, g ORDER BY series, mm, g
    ON CONFLICT (series, m, g) DO UPDATE SET c = r.c + excluded.c, s = r.s + excluded.s, mn = least(r.mn, excluded.mn),
      mx = greatest(r.mx, excluded.mx), fa = least(r.fa, excluded.fa), la = greatest(r.la, excluded.la)`;
}
