// Time-series bench of the PostgreSQL backend (cluster mode): write rate, raw pages, 1,000-bucket
// aggregations (minute rollups, and raw scans for comparison), retention. Same series and queries as bench.ts (LevelDB) so the tables compare.
// Run: node --import tsx bench/tsdb/bench-postgres.ts [points=200000]   (LYNX_TEST_POSTGRES_URL picks the server)
// Creates and drops a database of its own; writes bench/results/tsdb-postgres.json.

import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openPostgresStore, type PostgresTimeSeriesStore } from '../../apps/server/src/tsdb/postgres/index.js';
import { createTsdbTestDatabase } from '../../apps/server/src/tsdb/postgres/test-helpers.js';
import type { Point, SeriesQuery } from '../../apps/server/src/tsdb/types.js';

interface Row {
  name: string;
  value: number;
  unit: string;
}

const here = dirname(fileURLToPath(import.meta.url));
const resultsFile = join(process.env.LYNX_BENCH_RESULTS ?? join(here, '..', 'results'), 'tsdb-postgres.json');
const T0 = 1_700_000_000;
const TOPIC = 'obj/bench/temp';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function latency(runs: number, fn: () => Promise<unknown>): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return Math.round(median(times) * 100) / 100;
}

function query(over: Partial<SeriesQuery>): SeriesQuery {
  return { installationId: 1, topics: [TOPIC], limit: 100_000, offset: 0, order: 'asc', includeTotal: false, ...over };
}

function point(i: number): Point {
  return { installationId: 1, topic: TOPIC, timestamp: T0 + i, value: 20 + Math.sin(i / 3600) * 5 + (i % 7) / 10, msg: '' };
}

async function tableBytes(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    // Partitions are separate relations: sum the parent's tree.
    const r = await c.query<{ b: string }>(
      `SELECT coalesce(sum(pg_total_relation_size(relid)), 0) AS b FROM pg_partition_tree('lynx_tsdb.ts_point')`,
    );
    return Number(r.rows[0].b);
  } finally {
    await c.end();
  }
}

export async function main(total = 200_000): Promise<Row[]> {
  if (!Number.isSafeInteger(total) || total < 10_000) throw new RangeError(`points must be an integer >= 10000, got ${total}`);
  const rows: Row[] = [];
  const db = await createTsdbTestDatabase();
  let store: PostgresTimeSeriesStore | undefined;
  try {
    store = await openPostgresStore({ url: db.url });
    const live = 50_000;
    let t = performance.now();
    let next = 0;
    const one = async () => {
      while (next < live) {
        const i = next++;
        await store!.append([{ installationId: 1, topic: `obj/dev${i % 100}/temp`, timestamp: T0 + Math.floor(i / 100), value: i, msg: '' }]);
      }
    };
    await Promise.all(Array.from({ length: 1000 }, one));
    rows.push({ name: 'write: 1 point per append, 1,000 in flight, 100 topics', value: Math.round(live / ((performance.now() - t) / 1000)), unit: 'points/s' });
    await store.deleteInstallation(1);

    t = performance.now();
    next = 0;
    const bulk = async () => {
      while (next < total) {
        const from = next;
        next = Math.min(total, next + 1000);
        await store!.append(Array.from({ length: next - from }, (_, k) => point(from + k)));
      }
    };
    await Promise.all(Array.from({ length: 8 }, bulk));
    rows.push({ name: `write: ${total.toLocaleString('en')} points, 1,000 per append, 8 in flight`, value: Math.round(total / ((performance.now() - t) / 1000)), unit: 'points/s' });
    // Fresh statistics and visibility map, as autovacuum would have after a while.
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    await c.query('VACUUM ANALYZE');
    await c.end();
    rows.push({ name: 'disk: ts_point partitions with indexes', value: Math.round((await tableBytes(db.url)) / 1e5) / 10, unit: 'MB' });

    const span = total;
    const mid = T0 + Math.floor(span / 2);
    const all = { from: T0, to: T0 + span - 1 };
    const into = (buckets: number) => Math.ceil(span / buckets);
    const s = store;
    const cases: [string, SeriesQuery, number][] = [
      ['raw page of 2,000 rows (from the middle)', query({ limit: 2000, from: mid }), 30],
      ['raw page of 2,000 rows with exact total', query({ limit: 2000, from: mid, includeTotal: true }), 30],
      ['raw page of 100 newest rows (desc)', query({ limit: 100, order: 'desc' }), 30],
      [`avg, ${total.toLocaleString('en')} points into 1,000 buckets`, query({ ...all, aggregation: { method: 'avg', intervalSeconds: into(1000) } }), 5],
      [`max, ${total.toLocaleString('en')} points into 1,000 buckets`, query({ ...all, aggregation: { method: 'max', intervalSeconds: into(1000) } }), 5],
      [`count, ${total.toLocaleString('en')} points into 1,000 buckets`, query({ ...all, aggregation: { method: 'count', intervalSeconds: into(1000) } }), 5],
      [`last, ${total.toLocaleString('en')} points into 1,000 buckets`, query({ ...all, aggregation: { method: 'last', intervalSeconds: into(1000) } }), 5],
      ['avg, 60 s buckets (1,000), from an unaligned start', query({ from: T0, to: T0 + 60_000 - 1, aggregation: { method: 'avg', intervalSeconds: 60 } }), 10],
      ['percentile(95) over a day (86,400 points)', query({ from: T0, to: T0 + 86_399, aggregation: { method: { percentile: 95 }, intervalSeconds: 86_400 } }), 5],
    ];
    for (const [name, q, runs] of cases) rows.push({ name, value: await latency(runs, () => s.query(q)), unit: 'ms' });
    // The same aggregations from the raw points, to show what the minute rollups buy.
    const raw = await openPostgresStore({ url: db.url, rollupQueries: false });
    try {
      for (const [name, q] of cases.slice(3, 5)) rows.push({ name: `raw scan: ${name}`, value: await latency(3, () => raw.query(q)), unit: 'ms' });
    } finally {
      await raw.close();
    }

    t = performance.now();
    await store.applyRetention(1, { rawBefore: T0 + span / 2 });
    rows.push({ name: 'retention: delete the first half of the raw points', value: Math.round(performance.now() - t), unit: 'ms' });
  } finally {
    await store?.close();
    await db.drop();
  }

  const width = Math.max(...rows.map((r) => r.name.length));
  console.log(`\ntsdb bench, PostgreSQL backend (${process.version}, ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(1)).join(' ')})`);
  for (const r of rows) console.log(`${r.name.padEnd(width)}  ${r.value.toLocaleString('en').padStart(12)}  ${r.unit}`);
  await mkdir(dirname(resultsFile), { recursive: true });
  await writeFile(resultsFile, `${JSON.stringify({ bench: 'tsdb-postgres', node: process.version, cores: cpus().length, loadavg: loadavg(), date: new Date().toISOString(), points: total, rows }, null, 2)}\n`);
  console.log(`\nwritten ${resultsFile}`);
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv[2] === undefined ? undefined : Number(process.argv[2])).then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
