// Randomised queries against the naive model, over data spanning several days so that the day-count
// index (totals, offset jumps) is exercised on partial and whole days, with ties and backfill.

import { describe, expect, it } from 'vitest';
import { openLevelStore } from './level-store.js';
import { naiveQuery, pt, withTempDir } from './test-helpers.js';
import { aggregationMethods, type AggregationMethod, type Point, type SeriesQuery } from './types.js';

const DAY = 86_400;
const start = 1_699_990_000; // not day-aligned, so the first and last days are partial

function rng(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

describe('query() agrees with a naive model', () => {
  it('on random raw and aggregated queries, before and after a restart', async () => {
    const rnd = rng(2024);
    const topics = ['a', 'b', 'c/d', 'e'];
    const points: Point[] = [];
    // Dense days, empty days, duplicate timestamps, and points arriving out of order.
    for (let i = 0; i < 4000; i++) {
      const day = [0, 0, 1, 2, 2, 2, 5, 6][Math.floor(rnd() * 8)];
      const t = start + day * DAY + Math.floor(rnd() * DAY) + Math.round(rnd() * 1000) / 1000;
      points.push(pt(topics[Math.floor(rnd() * topics.length)], t, Math.round(rnd() * 10_000) / 100, `m${i}`));
      if (i % 50 === 0) points.push({ ...points[points.length - 1], value: -1, msg: 'dup' });
    }
    // A dense burst (several points per second) so that partial minutes hold many rows.
    const burst = start + 3 * DAY + 100;
    for (let i = 0; i < 900; i++) points.push(pt(topics[i % topics.length], burst + i / 3, i, `b${i}`));
    points.push(pt('a', start + 7 * DAY, 1, '', 2));
    const methods: AggregationMethod[] = [...aggregationMethods, { percentile: 90 }];

    await withTempDir(async (dir) => {
      // A tiny threshold forces the offset jump path; the default keeps the plain skip path.
      let store = await openLevelStore(dir, { offsetSkipThreshold: 1, batchSize: 700 });
      for (let i = 0; i < points.length; i += 333) await store.append(points.slice(i, i + 333));

      const randomQuery = (): SeriesQuery => {
        const from = rnd() < 0.2 ? undefined : start - DAY + Math.floor(rnd() * 9 * DAY) + (rnd() < 0.5 ? 0.5 : 0);
        const to = rnd() < 0.2 ? undefined : (from ?? start) + Math.floor(rnd() * 5 * DAY);
        const pick = topics.filter(() => rnd() < 0.5);
        const aggregate = rnd() < 0.3;
        return {
          installationId: 1,
          topics: pick.length ? pick : undefined,
          from,
          to,
          order: rnd() < 0.5 ? 'asc' : 'desc',
          limit: Math.floor(rnd() * 300),
          offset: rnd() < 0.2 ? 0 : Math.floor(rnd() * (aggregate ? 200 : 4000)),
          includeTotal: rnd() < 0.8,
          aggregation: aggregate
            ? { method: methods[Math.floor(rnd() * methods.length)], intervalSeconds: [60, 3600, 7200, DAY][Math.floor(rnd() * 4)] }
            : undefined,
        };
      };

      const check = async (query: SeriesQuery) => {
        const got = await store.query(query);
        const want = naiveQuery(points, query);
        const label = JSON.stringify(query);
        expect(got.count, label).toBe(want.count);
        expect(got.last, label).toBe(want.last);
        if (query.includeTotal) expect(got.total, label).toBe(want.total);
        else {
          // Rows seen: exact when the page reached the end, a lower bound beyond the page otherwise.
          if (want.total <= query.offset + query.limit) expect(got.total, label).toBe(want.total);
          else {
            expect(got.total, label).toBeGreaterThan(query.offset + query.limit);
            expect(got.total, label).toBeLessThanOrEqual(want.total);
          }
        }
        expect(got.data.map((p) => [p.topic, p.timestamp, p.msg]), label).toEqual(want.data.map((p) => [p.topic, p.timestamp, p.msg]));
        got.data.forEach((p, i) => expect(p.value, label).toBeCloseTo(want.data[i].value, 9));
      };

      for (let i = 0; i < 150; i++) await check(randomQuery());
      // Offsets that land exactly on and around day boundaries.
      const all = naiveQuery(points, { installationId: 1, order: 'asc', limit: 1e9, offset: 0, includeTotal: true });
      const dayStarts = [1, 2, 3, 6].map((d) => Math.ceil((start + d * DAY) / DAY) * DAY);
      for (const ds of dayStarts) {
        const idx = all.data.findIndex((p) => p.timestamp >= ds);
        for (const delta of [-1, 0, 1]) {
          for (const order of ['asc', 'desc'] as const) {
            const offset = Math.max(0, order === 'asc' ? idx + delta : all.total - idx + delta);
            await check({ installationId: 1, order, limit: 5, offset, includeTotal: true });
            await check({ installationId: 1, order, limit: 5, offset, includeTotal: true, from: start + 0.5 * DAY, to: start + 6.5 * DAY });
          }
        }
      }
      // Small offsets inside the partial hour or day at either edge of unaligned bounds.
      for (const [from, to] of [
        [start + 1.5 * DAY + 1234.5, start + 5.2 * DAY],
        [start + 2 * DAY + 77, start + 2 * DAY + 3 * 3600 + 5],
        [burst + 20.5, burst + 250.25],
        [burst - 3600, burst + 290.75],
      ]) {
        for (const offset of [1, 2, 5, 11, 25, 60, 140]) {
          for (const order of ['asc', 'desc'] as const) {
            await check({ installationId: 1, order, limit: 3, offset, includeTotal: true, from, to });
            await check({ installationId: 1, order, limit: 3, offset, includeTotal: false, from, to, topics: ['a', 'e'] });
          }
        }
      }
      await store.close();

      store = await openLevelStore(dir);
      for (let i = 0; i < 50; i++) await check(randomQuery());
      await store.close();
    });
  });
});
