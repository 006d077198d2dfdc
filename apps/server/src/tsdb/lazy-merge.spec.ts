// Descending raw pages over many topics open a series' cursor only once the merge reaches the series'
// newest timestamp (cursors.ts mergePage, head bounds). Small pages over many topics, with ties on
// the bounds, late points and batches landing during the queries, must still equal the naive model.

import { describe, expect, it } from 'vitest';
import { openLevelStore } from './level-store.js';
import { naiveQuery, pt, withTempDir } from './test-helpers.js';
import type { Point, SeriesQuery } from './types.js';

function rng(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

const start = 1_700_000_000;
const topics = Array.from({ length: 60 }, (_, i) => `t/${i % 7}/${i}`);

function randomPoints(rnd: () => number, n: number, from: number): Point[] {
  const out: Point[] = [];
  for (let i = 0; i < n; i++) {
    // Whole seconds over a short span: many equal timestamps across topics, so bounds tie.
    const t = from + Math.floor(rnd() * 400) + (rnd() < 0.3 ? 0.5 : 0);
    out.push(pt(topics[Math.floor(rnd() * topics.length)], t, i, `m${i}`));
  }
  return out;
}

function randomQuery(rnd: () => number): SeriesQuery {
  const pick = rnd() < 0.3 ? topics.filter(() => rnd() < 0.3) : [];
  const from = rnd() < 0.5 ? undefined : start + Math.floor(rnd() * 500);
  const to = rnd() < 0.5 ? undefined : (from ?? start) + Math.floor(rnd() * 500);
  return {
    installationId: 1,
    topics: pick.length ? pick : undefined,
    from,
    to,
    order: 'desc',
    limit: Math.floor(rnd() * 25),
    offset: rnd() < 0.5 ? 0 : Math.floor(rnd() * 40),
    includeTotal: rnd() < 0.5,
  };
}

function rows(p: { data: Point[] }): [string, number, string][] {
  return p.data.map((x) => [x.topic, x.timestamp, x.msg]);
}

describe('descending pages that open cursors lazily', () => {
  it('equal the naive model on small pages over many topics', async () => {
    const rnd = rng(99);
    await withTempDir(async (dir) => {
      const store = await openLevelStore(dir, { batchSize: 300 });
      try {
        const points = randomPoints(rnd, 3000, start);
        // Late points: older than most last values, arriving after them.
        points.push(...randomPoints(rnd, 300, start - 200));
        for (let i = 0; i < points.length; i += 300) await store.append(points.slice(i, i + 300));
        for (let i = 0; i < 300; i++) {
          const q = randomQuery(rnd);
          const got = await store.query(q);
          const want = naiveQuery(points, q);
          expect(rows(got), JSON.stringify(q)).toEqual(rows(want));
          if (q.includeTotal) expect(got.total, JSON.stringify(q)).toBe(want.total);
        }
      } finally {
        await store.close();
      }
    });
  });

  it('see a batch in flight whole or not at all (also through the offset jump)', async () => {
    const rnd = rng(3);
    await withTempDir(async (dir) => {
      // Threshold 1: every offset jumps over whole days using the in-memory day counts.
      const store = await openLevelStore(dir, { batchSize: 20, offsetSkipThreshold: 1 });
      try {
        // Spread over days so that the offset jump has whole days to skip.
        const points = [...randomPoints(rnd, 300, start - 3 * 86_400), ...randomPoints(rnd, 300, start)];
        await store.append(points);
        // Each append moves some topics' newest points forward; every page must be a prefix-consistent
        // view: the newest 10 rows of some state between the batches.
        const states: Point[][] = [points.slice()];
        const checks: Promise<void>[] = [];
        let acc = points.slice();
        for (let i = 0; i < 30; i++) {
          const batch = randomPoints(rnd, 20, start + 500 + i * 10);
          acc = [...acc, ...batch];
          states.push(acc);
          void store.append(batch);
          const q: SeriesQuery = { installationId: 1, limit: 10, offset: i % 2 ? 0 : 300 + i, order: i % 4 === 2 ? 'asc' : 'desc', includeTotal: true };
          checks.push(
            store.query(q).then((page) => {
              const match = states.some((s) => {
                const want = naiveQuery(s, q);
                return want.total === page.total && JSON.stringify(rows(want)) === JSON.stringify(rows(page));
              });
              expect(match, JSON.stringify(rows(page))).toBe(true);
            }),
          );
          if (i % 3 === 0) await new Promise((r) => setImmediate(r));
        }
        await Promise.all(checks);
        await store.flush();
      } finally {
        await store.close();
      }
    });
  });
});
