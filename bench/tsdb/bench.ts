// Time-series bench (issue 7): write rate, raw page latency, aggregations through rollups, percentile.
// Run: node --import tsx bench/tsdb/bench.ts [points=1000000 | --quick]   (also `npm run bench:tsdb`, `npm run bench`)
// Prints a table and writes bench/results/tsdb.json. Latencies are medians of repeated runs on a warm
// store; "raw scan" rows run the same query with rollups switched off, for comparison.

import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openLevelStore, type LevelTimeSeriesStore } from '../../apps/server/src/tsdb/level-store.js';
import type { Point, SeriesQuery } from '../../apps/server/src/tsdb/types.js';

interface Row {
  name: string;
  value: number;
  unit: string;
  /** Median process CPU time of one run (main thread + LevelDB threads): steadier than wall time on a shared machine. */
  cpuMs?: number;
  target?: string;
  ok?: boolean;
}

const here = dirname(fileURLToPath(import.meta.url));
// LYNX_BENCH_RESULTS sends trial runs elsewhere, as for the other parts (bench/lib/common.mjs).
const resultsFile = join(process.env.LYNX_BENCH_RESULTS ?? join(here, '..', 'results'), 'tsdb.json');
const T0 = 1_700_000_000; // 2023-11-14T22:13:20Z, not aligned to a day
const TOPIC = 'obj/bench/temp';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

let lastCpuMs = 0;

/** Median wall time of `runs` runs; the median CPU time is left in lastCpuMs. */
async function latency(runs: number, fn: () => Promise<unknown>): Promise<number> {
  await fn(); // warm-up: first read of the blocks, JIT
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
  }
  lastCpuMs = round(median(cpu));
  return median(times);
}

async function folderBytes(dir: string): Promise<number> {
  let n = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    n += e.isDirectory() ? await folderBytes(join(dir, e.name)) : (await stat(join(dir, e.name))).size;
  }
  return n;
}

function query(over: Partial<SeriesQuery>): SeriesQuery {
  return { installationId: 1, topics: [TOPIC], limit: 100_000, offset: 0, order: 'asc', includeTotal: false, ...over };
}

/** Point i of the bench series: one per second, a value that wanders, no msg (a typical sensor). */
function point(i: number): Point {
  return { installationId: 1, topic: TOPIC, timestamp: T0 + i, value: 20 + Math.sin(i / 3600) * 5 + (i % 7) / 10, msg: '' };
}

async function writeRates(dir: string, rows: Row[]): Promise<void> {
  const store = await openLevelStore(join(dir, 'live'));
  try {
    // One point per append, 1,000 in flight: what the MQTT storage processor does; group commit batches.
    const live = 100_000;
    let t = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < live) {
        const i = next++;
        await store.append([{ installationId: 1, topic: `obj/dev${i % 100}/temp`, timestamp: T0 + Math.floor(i / 100), value: i, msg: '' }]);
      }
    };
    await Promise.all(Array.from({ length: 1000 }, worker));
    rows.push({ name: 'write: 1 point per append, 1,000 in flight, 100 topics', value: Math.round(live / ((performance.now() - t) / 1000)), unit: 'points/s' });
    t = performance.now();
  } finally {
    await store.close();
  }
}

/** Runs the bench over `total` points (default 1,000,000), prints the table, writes the JSON. */
export async function main(total = 1_000_000): Promise<Row[]> {
  if (!Number.isSafeInteger(total) || total < 100_000) throw new RangeError(`points must be an integer >= 100000, got ${total}`);
  const rows: Row[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'tsdb-bench-'));
  try {
    await writeRates(dir, rows);

    // Bulk write of the bench series: 1,000 points per append, 8 appends in flight.
    const path = join(dir, 'store');
    let store: LevelTimeSeriesStore = await openLevelStore(path);
    let t = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < total) {
        const from = next;
        next = Math.min(total, next + 1000);
        await store.append(Array.from({ length: next - from }, (_, k) => point(from + k)));
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    rows.push({ name: `write: ${total.toLocaleString('en')} points, 1,000 per append, 8 in flight`, value: Math.round(total / ((performance.now() - t) / 1000)), unit: 'points/s' });
    await store.close();
    rows.push({ name: 'disk: data folder', value: Math.round((await folderBytes(path)) / 1e5) / 10, unit: 'MB' });
    t = performance.now();
    store = await openLevelStore(path);
    rows.push({ name: 'open (catalogue and last values)', value: Math.round(performance.now() - t), unit: 'ms' });

    const span = total; // seconds: one point per second
    const mid = T0 + Math.floor(span / 2);
    const pageMs = await latency(50, () => store.query(query({ limit: 2000, from: mid })));
    rows.push({ name: 'raw page of 2,000 rows (from the middle)', value: round(pageMs), unit: 'ms', cpuMs: lastCpuMs, target: '< 5 ms', ok: pageMs < 5 });
    const pageTotalMs = await latency(50, () => store.query(query({ limit: 2000, from: mid, includeTotal: true })));
    rows.push({ name: 'raw page of 2,000 rows with exact total', value: round(pageTotalMs), unit: 'ms', cpuMs: lastCpuMs, target: '< 5 ms', ok: pageTotalMs < 5 });

    const all = { from: T0, to: T0 + span - 1 };
    const into = (buckets: number) => Math.ceil(span / buckets);
    const aggregations: [string, SeriesQuery, number?][] = [
      [`avg, ${total.toLocaleString('en')} points into 1,000 buckets`, query({ ...all, aggregation: { method: 'avg', intervalSeconds: into(1000) } }), 50],
      [`max, ${total.toLocaleString('en')} points into 1,000 buckets`, query({ ...all, aggregation: { method: 'max', intervalSeconds: into(1000) } }), 50],
      [`avg, into 1,000 buckets, desc + total`, query({ ...all, order: 'desc', includeTotal: true, aggregation: { method: 'avg', intervalSeconds: into(1000) } }), 50],
      // What a chart asking for ~1,000 points with a round Go duration gets: no raw reads at all.
      [`avg, 17-minute buckets (981 buckets, minute-aligned)`, query({ ...all, aggregation: { method: 'avg', intervalSeconds: 1020 } }), 50],
      [`avg, 20-minute buckets (834 buckets, 10-minute-aligned)`, query({ ...all, aggregation: { method: 'avg', intervalSeconds: 1200 } }), 50],
      [`avg, into 24 buckets`, query({ ...all, aggregation: { method: 'avg', intervalSeconds: into(24) } })],
      [`max, into 24 buckets`, query({ ...all, aggregation: { method: 'max', intervalSeconds: into(24) } })],
      [`avg per hour (aligned), all points`, query({ ...all, aggregation: { method: 'avg', intervalSeconds: 3600 } })],
      // Issue 7: 1,000 buckets whatever the interval (as many as the series holds for 3,600 s: 278 of 1M s).
      ...[60, 600, 1000, 3600, 35].map((interval): [string, SeriesQuery, number] => {
        const to = Math.min(T0 + span - 1, T0 + 1000 * interval - 1);
        const buckets = Math.floor(to / interval) - Math.floor(T0 / interval) + 1;
        return [`avg, ${interval} s buckets (${buckets}), from an unaligned start`, query({ from: T0, to, aggregation: { method: 'avg', intervalSeconds: interval } }), 50];
      }),
    ];
    const viaRollups: number[] = [];
    for (const [name, q, target] of aggregations) {
      const ms = await latency(20, () => store.query(q));
      viaRollups.push(ms);
      rows.push({ name: `rollups: ${name}`, value: round(ms), unit: 'ms', cpuMs: lastCpuMs, ...(target ? { target: `< ${target} ms`, ok: ms < target } : {}) });
    }
    const dayFrom = T0 + 86_400 * 3;
    const p95 = query({ from: dayFrom, to: dayFrom + 86_399, aggregation: { method: { percentile: 95 }, intervalSeconds: 86_400 } });
    const p95Ms = await latency(10, () => store.query(p95));
    rows.push({ name: 'percentile(95) over a day (86,400 points, raw)', value: round(p95Ms), unit: 'ms', cpuMs: lastCpuMs });
    await store.close();

    // The same aggregations through raw scans, to show what the rollups buy.
    store = await openLevelStore(path, { rollupQueries: false });
    for (const [name, q] of aggregations.slice(0, 2)) {
      const ms = await latency(3, () => store.query(q));
      rows.push({ name: `raw scan: ${name}`, value: round(ms), unit: 'ms', cpuMs: lastCpuMs });
    }
    // Retention: drop the raw points of the first half (rollups kept), then measure the folder again.
    t = performance.now();
    const r = await store.applyRetention(1, { rawBefore: T0 + span / 2 });
    rows.push({ name: `retention: delete ${r.rawBefore ? 'first half' : 'nothing'} of the raw points + compact`, value: Math.round(performance.now() - t), unit: 'ms' });
    await store.close();
    rows.push({ name: 'disk: data folder after retention', value: Math.round((await folderBytes(path)) / 1e5) / 10, unit: 'MB' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  const width = Math.max(...rows.map((r) => r.name.length));
  const load = loadavg().map((l) => l.toFixed(1)).join(' ');
  console.log(`\ntsdb bench (${process.version}, ${cpus().length} cores, load ${load}, ${new Date().toISOString()})`);
  console.log(`${'measure'.padEnd(width)}  ${'value'.padStart(12)}  unit      ${'cpu ms'.padStart(8)}  target (on wall time)`);
  for (const r of rows) {
    const target = r.target ? `${r.target} ${r.ok ? 'ok' : 'MISSED'}` : '';
    const cpu = r.cpuMs === undefined ? '' : r.cpuMs.toLocaleString('en');
    console.log(`${r.name.padEnd(width)}  ${r.value.toLocaleString('en').padStart(12)}  ${r.unit.padEnd(8)}  ${cpu.padStart(8)}  ${target}`);
  }
  await mkdir(dirname(resultsFile), { recursive: true });
  await writeFile(resultsFile, `${JSON.stringify({ bench: 'tsdb', node: process.version, cores: cpus().length, loadavg: loadavg(), date: new Date().toISOString(), points: total, rows }, null, 2)}\n`);
  console.log(`\nwritten ${resultsFile}`);
  return rows;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  // `--quick` (what bench/run.mjs passes): 200,000 points, the figures' shape without the 1M wait.
  const arg = process.argv[2];
  main(arg === undefined ? undefined : arg === '--quick' ? 200_000 : Number(arg)).then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
