// Shared by the tsdb specs: temp directories and a naive in-memory model of the store's semantics.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AggregationMethod, Point, SeriesPage, SeriesQuery } from './types.js';

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'tsdb-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function pt(topic: string, timestamp: number, value: number, msg = '', installationId = 1): Point {
  return { installationId, topic, timestamp, value, msg };
}

/** Textbook formulas, deliberately independent of aggregate.ts. */
export function naiveAggregate(method: AggregationMethod, chronological: number[]): number {
  const v = chronological;
  const n = v.length;
  const sorted = [...v].sort((a, b) => a - b);
  const sum = v.reduce((a, b) => a + b, 0);
  const pct = (p: number) => {
    const h = ((n - 1) * p) / 100;
    const below = sorted[Math.floor(h)];
    const above = sorted[Math.ceil(h)];
    return below + (h - Math.floor(h)) * (above - below);
  };
  if (typeof method === 'object') return pct(method.percentile);
  switch (method) {
    case 'avg':
      return sum / n;
    case 'count':
      return n;
    case 'first':
      return v[0];
    case 'last':
      return v[n - 1];
    case 'max':
      return sorted[n - 1];
    case 'min':
      return sorted[0];
    case 'median':
      return n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    case 'spread':
      return sorted[n - 1] - sorted[0];
    case 'sum':
      return sum;
    case 'stddev': {
      if (n === 1) return 0;
      const mean = sum / n;
      return Math.sqrt(v.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
    }
  }
}

/**
 * What query() must return, computed from every appended point held in arrival order. Ties on
 * timestamp keep arrival order within a topic and go by topic across topics; desc is the exact reverse.
 */
export function naiveQuery(all: Point[], q: SeriesQuery): SeriesPage {
  const topics = q.topics?.length ? new Set(q.topics) : undefined;
  const micros = (t: number) => Math.round(t * 1e6);
  const lo = q.from === undefined ? -Infinity : micros(q.from);
  const hi = q.to === undefined ? Infinity : micros(q.to);
  const matching = all
    .map((p, arrival) => ({ p, arrival }))
    .filter(({ p }) => p.installationId === q.installationId && (!topics || topics.has(p.topic)))
    .filter(({ p }) => micros(p.timestamp) >= lo && micros(p.timestamp) <= hi);
  matching.sort(
    (a, b) =>
      micros(a.p.timestamp) - micros(b.p.timestamp) ||
      (a.p.topic < b.p.topic ? -1 : a.p.topic > b.p.topic ? 1 : 0) ||
      a.arrival - b.arrival,
  );
  let rows: Point[];
  if (q.aggregation) {
    const size = Math.round(q.aggregation.intervalSeconds * 1e6);
    const groups = new Map<string, { topic: string; start: number; values: number[] }>();
    for (const { p } of matching) {
      const start = Math.floor(micros(p.timestamp) / size) * size;
      const key = `${p.topic}\u0000${start}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { topic: p.topic, start, values: [] }));
      g.values.push(p.value);
    }
    rows = [...groups.values()]
      .sort((a, b) => a.start - b.start || (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0))
      .map((g) => ({
        installationId: q.installationId,
        topic: g.topic,
        timestamp: g.start / 1e6,
        value: naiveAggregate(q.aggregation!.method, g.values),
        msg: '',
      }));
  } else {
    rows = matching.map(({ p }) => ({ ...p, timestamp: micros(p.timestamp) / 1e6, msg: p.msg ?? '' }));
  }
  if (q.order === 'desc') rows.reverse();
  const data = rows.slice(q.offset, q.offset + q.limit);
  return { total: rows.length, last: data.length ? data[data.length - 1].timestamp : 0, count: data.length, data };
}
