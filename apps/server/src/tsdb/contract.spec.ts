// The TimeSeriesStore contract, run against every backend (LevelDB, PostgreSQL), then a randomized
// comparison: the same points into both backends, the same random queries, identical answers.
// PostgreSQL runs on a database of its own (one per file, a schema per case); skipped with a message
// when the server is unreachable, unless CI is set.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExactSum } from './exact-sum.js';
import { openLevelStore } from './level-store.js';
import { openPostgresStore } from './postgres/index.js';
import { createTsdbTestDatabase, postgresUnavailable, type TsdbTestDatabase } from './postgres/test-helpers.js';
import { naiveAggregate, naiveQuery, pt } from './test-helpers.js';
import { aggregationMethods, type AggregationMethod, type Point, type RetentionCapableStore, type SeriesQuery, type TimeSeriesStore } from './types.js';

type Store = TimeSeriesStore & RetentionCapableStore;

interface Backend {
  name: string;
  /** A new empty store; `reopen` opens the same data again after close. */
  fresh(): Promise<{ store: Store; reopen(): Promise<Store>; rawOnly(): Promise<Store> }>;
  cleanup(): Promise<void>;
}

const base = 1_700_000_000;
const DAY = 86_400;

function q(over: Partial<SeriesQuery> = {}): SeriesQuery {
  return { installationId: 1, limit: 1000, offset: 0, order: 'asc', includeTotal: true, ...over };
}

const pgDown = await postgresUnavailable();
if (pgDown) console.warn(`tsdb contract: PostgreSQL backend skipped (${pgDown})`);

function levelBackend(): Backend {
  const dirs: string[] = [];
  return {
    name: 'leveldb',
    async fresh() {
      const dir = await mkdtemp(join(tmpdir(), 'tsdb-contract-'));
      dirs.push(dir);
      return { store: await openLevelStore(dir), reopen: () => openLevelStore(dir), rawOnly: () => openLevelStore(dir, { rollupQueries: false }) };
    },
    async cleanup() {
      await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
    },
  };
}

function postgresBackend(): Backend {
  let db: TsdbTestDatabase | undefined;
  let n = 0;
  return {
    name: 'postgres',
    async fresh() {
      db ??= await createTsdbTestDatabase();
      const url = db.url;
      const schema = `case_${++n}`;
      return {
        store: await openPostgresStore({ url, schema }),
        reopen: () => openPostgresStore({ url, schema }),
        rawOnly: () => openPostgresStore({ url, schema, rollupQueries: false }),
      };
    },
    async cleanup() {
      await db?.drop();
    },
  };
}

const backends = [levelBackend(), ...(pgDown ? [] : [postgresBackend()])];
afterAll(async () => {
  for (const b of backends) await b.cleanup();
});

describe.each(backends)('time-series contract on $name', (backend) => {
  async function withStore<T>(fn: (store: Store, reopen: () => Promise<Store>) => Promise<T>): Promise<T> {
    const { store, reopen } = await backend.fresh();
    try {
      return await fn(store, reopen);
    } finally {
      await store.close();
    }
  }

  it('round-trips points in both orders, to the microsecond, and merges topics by time then topic', async () => {
    await withStore(async (store) => {
      await store.append([
        pt('b', base + 1, 10),
        pt('a', base + 1, 20, 'zéro'),
        pt('a', base + 3.000001, 21),
        pt('c', base + 2, 30),
        pt('a', base + 5, 22),
        pt('x', base + 2, 99, '', 2),
      ]);
      const page = await store.query(q({ from: base + 1, to: base + 3.000001 }));
      expect(page.data.map((p) => [p.topic, p.timestamp, p.value, p.msg])).toEqual([
        ['a', base + 1, 20, 'zéro'],
        ['b', base + 1, 10, ''],
        ['c', base + 2, 30, ''],
        ['a', base + 3.000001, 21, ''],
      ]);
      expect(page).toMatchObject({ total: 4, count: 4, last: base + 3.000001 });
      const desc = await store.query(q({ from: base + 1, to: base + 3.000001, order: 'desc' }));
      expect(desc.data).toEqual([...page.data].reverse());
      expect((await store.query(q({ topics: ['c', 'a', 'nope', 'a'] }))).data.map((p) => p.value)).toEqual([20, 30, 21, 22]);
      expect((await store.query(q({ installationId: 3 }))).total).toBe(0);
      expect(await store.query(q({ from: base + 4, to: base + 3 }))).toEqual({ total: 0, last: 0, count: 0, data: [] });
    });
  });

  it('pages with offset/limit, exact totals, and rows seen without includeTotal', async () => {
    await withStore(async (store) => {
      const points = Array.from({ length: 50 }, (_, i) => pt(i % 2 ? 'odd' : 'even', base + Math.floor(i / 3), i));
      await store.append(points);
      for (const order of ['asc', 'desc'] as const) {
        for (const [offset, limit] of [[0, 10], [45, 10], [60, 5], [10, 0]]) {
          const got = await store.query(q({ order, offset, limit }));
          expect(got).toEqual(naiveQuery(points, q({ order, offset, limit })));
          const seen = await store.query(q({ order, offset, limit, includeTotal: false }));
          expect(seen.data).toEqual(got.data);
          expect(seen.total).toBe(Math.min(50, offset + limit + 1));
        }
      }
    });
  });

  it('keeps every point sharing a timestamp in arrival order, within and across batches', async () => {
    await withStore(async (store) => {
      await store.append([pt('a', base, 1), pt('a', base, 2)]);
      await store.append([pt('a', base, 3)]);
      await Promise.all([store.append([pt('a', base, 4)]), store.append([pt('a', base, 5)])]);
      expect((await store.query(q())).data.map((p) => p.value)).toEqual([1, 2, 3, 4, 5]);
      expect((await store.query(q({ order: 'desc' }))).data.map((p) => p.value)).toEqual([5, 4, 3, 2, 1]);
      expect((await store.query(q({ aggregation: { method: 'first', intervalSeconds: 60 } }))).data[0].value).toBe(1);
      expect((await store.query(q({ aggregation: { method: 'last', intervalSeconds: 60 } }))).data[0].value).toBe(5);
      expect((await store.latest(1)).map((p) => p.value)).toEqual([5]);
    });
  });

  it('latest(): newest timestamp wins, then the later arrival; survives a reopen', async () => {
    await withStore(async (store, reopen) => {
      await store.append([pt('c', base + 5, 9), pt('a', base + 1, 1, 'm')]);
      await store.append([pt('c', base + 2, 8), pt('b', base + 3, 2), pt('b', base + 3, 3, 'later')]);
      const latest = await store.latest(1);
      expect(latest.map((p) => [p.topic, p.value, p.msg, p.timestamp])).toEqual([
        ['a', 1, 'm', base + 1],
        ['b', 3, 'later', base + 3],
        ['c', 9, '', base + 5],
      ]);
      expect((await store.latest(1, ['c', 'zz', 'a'])).map((p) => p.value)).toEqual([9, 1]);
      expect(await store.latest(2)).toEqual([]);
      await store.close();
      const again = await reopen();
      try {
        expect(await again.latest(1)).toEqual(latest);
        expect((await again.query(q())).total).toBe(5);
        await again.append([pt('a', base + 10, 7)]);
        expect((await again.latest(1, ['a']))[0].value).toBe(7);
      } finally {
        await again.close();
      }
    });
  });

  it('aggregates every method per topic and epoch-aligned bucket like a naive reference', async () => {
    await withStore(async (store) => {
      const points: Point[] = [];
      // Before and after 1970, uneven bucket sizes, several topics.
      for (let i = 0; i < 240; i++) points.push(pt(i % 3 ? 'a' : 'b', (i % 2 ? base : -86_000) + i * 7.25, ((i * 37) % 23) - 7.5));
      await store.append(points);
      const methods: AggregationMethod[] = [...aggregationMethods, { percentile: 90 }, { percentile: 12.5 }];
      for (const method of methods) {
        for (const intervalSeconds of [60, 3600, 0.5 * 7.25]) {
          for (const order of ['asc', 'desc'] as const) {
            const query = q({ order, aggregation: { method, intervalSeconds }, from: -86_000 + 100, to: base + 1500 });
            const got = await store.query(query);
            const want = naiveQuery(points, query);
            expect(got.data.map((p) => [p.topic, p.timestamp, p.msg])).toEqual(want.data.map((p) => [p.topic, p.timestamp, p.msg]));
            got.data.forEach((p, i) => expect(p.value).toBeCloseTo(want.data[i].value, 9));
            expect(got.total).toBe(want.total);
          }
        }
      }
      // Bucket starts are multiples of the interval since the epoch, whatever `from` is.
      const aligned = await store.query(q({ from: base + 13, aggregation: { method: 'count', intervalSeconds: 600 } }));
      for (const p of aligned.data) expect(p.timestamp % 600).toBe(0);
    });
  });

  it('sums exactly, rounded once, whatever the magnitudes (avg = exact sum / count)', async () => {
    await withStore(async (store) => {
      const values = [0.1, 0.2, 0.3, 1e16, 1, -1e16, 5e-324, 1.5e300, -1.5e300, 2 ** -1070, 3.3, -0.7, 123456.789];
      await store.append(values.map((v, i) => pt('s', base + i, v)));
      const exact = new ExactSum();
      for (const v of values) exact.add(v);
      const sum = await store.query(q({ aggregation: { method: 'sum', intervalSeconds: 3600 } }));
      const avg = await store.query(q({ aggregation: { method: 'avg', intervalSeconds: 3600 } }));
      expect(sum.data.map((p) => p.value)).toEqual([exact.value()]);
      expect(avg.data.map((p) => p.value)).toEqual([exact.value() / values.length]);
      expect(exact.value()).not.toBe(values.reduce((a, b) => a + b, 0));
    });
  });

  it('rejects invalid points without writing any of the append, and appends after close', async () => {
    const { store } = await backend.fresh();
    await expect(store.append([pt('a', base, 1), pt('a', base, NaN)])).rejects.toThrow(/finite/);
    await expect(store.append([pt('', base, 1)])).rejects.toThrow(/topic/);
    await expect(store.append([pt('a', 1e300, 1)])).rejects.toThrow(/timestamp/);
    expect((await store.query(q())).total).toBe(0);
    await expect(store.query(q({ limit: -1 }))).rejects.toThrow(RangeError);
    await store.close();
    await expect(store.append([pt('a', base, 1)])).rejects.toThrow(/closed/);
  });

  it('deleteInstallation removes history and last values of that installation only', async () => {
    await withStore(async (store) => {
      await store.append([pt('a', base, 1, '', 1), pt('b', base, 2, '', 1), pt('a', base, 3, '', 2)]);
      await store.deleteInstallation(1);
      expect((await store.query(q())).total).toBe(0);
      expect(await store.latest(1)).toEqual([]);
      expect((await store.latest(2)).map((p) => p.value)).toEqual([3]);
      expect(store.installationIds()).toEqual([2]);
      await store.append([pt('a', base + 1, 4, '', 1)]);
      expect((await store.query(q())).data.map((p) => p.value)).toEqual([4]);
    });
  });

  it('retention: drops raw points before the UTC-day horizon, keeps last values and other installations', async () => {
    await withStore(async (store, reopen) => {
      const now = 1_750_000_000;
      const midnight = Math.floor(now / DAY) * DAY;
      const old = Array.from({ length: 200 }, (_, i) => pt(i % 2 ? 'a' : 'b', midnight - 70 * DAY + i * 9000, i));
      await store.append([...old, pt('only-old', midnight - 25 * DAY, 42, 'kept'), pt('a', midnight - DAY, 1000)]);
      await store.append([pt('t', midnight - 10 * DAY, 2, '', 2)]);
      const dailyAvg = q({ topics: ['a'], to: midnight - 5 * DAY, aggregation: { method: 'avg', intervalSeconds: DAY } });
      const before = await store.query(dailyAvg);
      const r = await store.applyRetention(1, { rawBefore: now - 5 * DAY, rollupBefore: now - 60 * DAY });
      expect(r).toEqual({ rawBefore: midnight - 5 * DAY, rollupBefore: midnight - 60 * DAY, seriesCleared: 3 });
      // Between the two horizons exact aggregations still answer from rollups, raw pages see nothing.
      expect((await store.query(dailyAvg)).data).toEqual(before.data.filter((p) => p.timestamp >= midnight - 60 * DAY));
      expect((await store.query({ ...dailyAvg, aggregation: { method: 'median', intervalSeconds: DAY } })).total).toBe(0);
      const raw = await store.query(q());
      expect(raw.data.map((p) => p.value)).toEqual([1000]);
      expect((await store.query(q({ aggregation: { method: 'median', intervalSeconds: DAY } }))).total).toBe(1);
      expect(await store.latest(1, ['only-old'])).toMatchObject([{ value: 42, msg: 'kept' }]);
      expect((await store.query(q({ installationId: 2 }))).total).toBe(1);
      expect(store.installationIds().sort()).toEqual([1, 2]);
      // A late point older than the horizon stays invisible; a longer period brings nothing back.
      await store.append([pt('a', midnight - 30 * DAY, 5)]);
      expect((await store.query(q({ limit: 0 }))).total).toBe(1);
      expect((await store.applyRetention(1, { rawBefore: now - 50 * DAY })).rawBefore).toBe(midnight - 5 * DAY);
      await store.close();
      const again = await reopen();
      try {
        expect((await again.query(q({ limit: 0 }))).total).toBe(1);
        expect((await again.applyRetention(1, { rawBefore: now - 5 * DAY })).seriesCleared).toBe(0);
        // Every installation past the old months: whole partitions go (PostgreSQL), data stays correct.
        await again.applyRetention(2, { rawBefore: now - 5 * DAY });
        expect((await again.query(q({ installationId: 2 }))).total).toBe(0);
        expect((await again.query(q())).data.map((p) => p.value)).toEqual([1000]);
        await again.append([pt('a', midnight - 60 * DAY, 6), pt('a', midnight, 7)]);
        expect((await again.query(q())).data.map((p) => p.value)).toEqual([1000, 7]);
      } finally {
        await again.close();
      }
    });
  });
});

describe.skipIf(pgDown !== null)('LevelDB and PostgreSQL give identical answers', () => {
  let level: Store;
  let postgres: Store;
  /** The same PostgreSQL data, every aggregation from the raw points (no minute rollups). */
  let postgresRaw: Store;
  const lb = levelBackend();
  const pb = postgresBackend();
  const all: Point[] = [];
  const topics = ['a', 'b', 'c/d', 'e', 'Z', 'é'];
  const start = 1_699_990_000;

  function rng(seed: number): () => number {
    let s = seed;
    return () => (s = (s * 16807) % 2147483647) / 2147483647;
  }
  const rnd = rng(4242);

  beforeAll(async () => {
    level = (await lb.fresh()).store;
    const pgStores = await pb.fresh();
    postgres = pgStores.store;
    postgresRaw = await pgStores.rawOnly();
    for (let i = 0; i < 3000; i++) {
      const day = [0, 0, 1, 2, 2, 5, 40][Math.floor(rnd() * 7)];
      const t = start + day * DAY + Math.floor(rnd() * DAY) + Math.round(rnd() * 1000) / 1000;
      const v = rnd() < 0.1 ? (rnd() - 0.5) * 1e12 : Math.round(rnd() * 1e6) / 1e3 - 300;
      all.push(pt(topics[Math.floor(rnd() * topics.length)], t, v, `m${i}`, rnd() < 0.95 ? 1 : 2));
      if (i % 40 === 0) all.push({ ...all[all.length - 1], value: rnd(), msg: 'dup' });
    }
    for (let i = 0; i < 30; i++) all.push(pt('a', start + DAY + 0.25, i, 'tie')); // ties on one timestamp
    for (let i = 0; i < all.length; i += 500) {
      const chunk = all.slice(i, i + 500);
      await Promise.all([level.append(chunk), postgres.append(chunk)]);
    }
  });

  afterAll(async () => {
    await level?.close();
    await postgres?.close();
    await postgresRaw?.close();
    await lb.cleanup();
    await pb.cleanup();
  });

  const methods: AggregationMethod[] = [...aggregationMethods, { percentile: 90 }, { percentile: 33.3 }];
  const randomQuery = (): SeriesQuery => {
    const from = rnd() < 0.2 ? undefined : start - DAY + Math.floor(rnd() * 9 * DAY) + (rnd() < 0.5 ? 0.5 : 0);
    const to = rnd() < 0.2 ? undefined : (from ?? start) + Math.floor(rnd() * 5 * DAY);
    const pick = topics.filter(() => rnd() < 0.4);
    const aggregate = rnd() < 0.4;
    return {
      installationId: rnd() < 0.9 ? 1 : 2,
      topics: pick.length ? pick : undefined,
      from,
      to,
      order: rnd() < 0.5 ? 'asc' : 'desc',
      limit: Math.floor(rnd() * 200),
      offset: rnd() < 0.3 ? 0 : Math.floor(rnd() * (aggregate ? 150 : 2500)),
      includeTotal: rnd() < 0.7,
      aggregation: aggregate
        ? { method: methods[Math.floor(rnd() * methods.length)], intervalSeconds: [1, 60, 90, 600, 737.5, 1000, 3600, 7200, DAY][Math.floor(rnd() * 9)] }
        : undefined,
    };
  };

  it('on random raw pages, aggregations and totals (values bit for bit)', async () => {
    for (let i = 0; i < Number(process.env.TSDB_CONTRACT_QUERIES ?? 120); i++) {
      const query = randomQuery();
      const [a, b, c] = await Promise.all([level.query(query), postgres.query(query), postgresRaw.query(query)]);
      expect(b, JSON.stringify(query)).toEqual(a);
      expect(c, JSON.stringify(query)).toEqual(a);
    }
    expect(await postgres.latest(1)).toEqual(await level.latest(1));
    expect(await postgres.latest(2, ['é', 'a', 'nope'])).toEqual(await level.latest(2, ['é', 'a', 'nope']));
  });

  it('sum and avg are the exact sum of every point, rounded once; stddev matches a two-pass reference', async () => {
    const interval = 1e6;
    for (const method of ['sum', 'avg', 'stddev'] as const) {
      const query = q({ aggregation: { method, intervalSeconds: interval } });
      const [a, b] = await Promise.all([level.query(query), postgres.query(query)]);
      expect(b).toEqual(a);
      for (const row of b.data) {
        const values = all
          .filter((p) => p.installationId === 1 && p.topic === row.topic && p.timestamp >= row.timestamp && p.timestamp < row.timestamp + interval)
          .map((p) => p.value);
        const exact = new ExactSum();
        for (const v of values) exact.add(v);
        if (method === 'sum') expect(row.value).toBe(exact.value());
        else if (method === 'avg') expect(row.value).toBe(exact.value() / values.length);
        else expect(Math.abs(row.value - naiveAggregate('stddev', values))).toBeLessThanOrEqual(1e-9 * Math.abs(row.value));
      }
    }
  });
});

describe.skipIf(pgDown !== null)('PostgreSQL backend shared by several nodes', () => {
  it('nodes open, create series and monthly partitions at the same time, and see each other\'s data', async () => {
    const db = await createTsdbTestDatabase();
    try {
      const nodes = await Promise.all([0, 1, 2].map(() => openPostgresStore({ url: db.url, schema: 'shared' })));
      try {
        // Same topics and the same six new months from every node at once: the catalogue races.
        const month = 31 * DAY;
        await Promise.all(
          nodes.map((node, k) => node.append(Array.from({ length: 60 }, (_, i) => pt(`t${i % 3}`, base + (i % 6) * month + k, k * 100 + i)))),
        );
        const pages = await Promise.all(nodes.map((node) => node.query(q({ limit: 0 }))));
        expect(pages.map((p) => p.total)).toEqual([180, 180, 180]);
        // A series created by another node shows up in queries and last values.
        await nodes[1].append([pt('only-on-1', base, 5)]);
        expect((await nodes[0].query(q({ topics: ['only-on-1'] }))).data.map((p) => p.value)).toEqual([5]);
        expect((await nodes[2].latest(1, ['only-on-1']))[0].value).toBe(5);
        // Retention on one node drops the months every installation passed; the others recreate on demand.
        await nodes[0].applyRetention(1, { rawBefore: base + 4 * month });
        await nodes[2].append([pt('t0', base + 1, 1)]);
        expect((await nodes[1].query(q({ limit: 0 }))).total).toBeGreaterThan(0);
        expect((await nodes[1].query(q({ to: base + 2 * month }))).total).toBe(0);
        // An installation deleted by one node while another keeps writing to it (with its series cached):
        // the writes land in new series, none as orphans of the deleted ones.
        const writes = Promise.all(Array.from({ length: 20 }, (_, i) => nodes[2].append([pt('t1', base + 5 * month + i, i, '', 7)])));
        await nodes[0].append([pt('t1', base + 5 * month, -1, '', 7)]);
        await nodes[1].deleteInstallation(7);
        await writes;
        await nodes[2].append([pt('t1', base + 6 * month, 99, '', 7)]);
        const left = await nodes[0].query(q({ installationId: 7 }));
        expect(left.data.at(-1)?.value).toBe(99);
        expect((await nodes[0].latest(7)).map((p) => p.value)).toEqual([99]);
        const c = new pg.Client({ connectionString: db.url });
        await c.connect();
        try {
          const orphans = await c.query('SELECT count(*)::int AS n FROM shared.ts_point p WHERE NOT EXISTS (SELECT 1 FROM shared.ts_series s WHERE s.id = p.series)');
          expect(orphans.rows[0].n).toBe(0);
        } finally {
          await c.end();
        }
      } finally {
        await Promise.all(nodes.map((n) => n.close()));
      }
    } finally {
      await db.drop();
    }
  });

  it('upgrades a version-1 schema by building the minute rollups from the points', async () => {
    const db = await createTsdbTestDatabase();
    try {
      let store = await openPostgresStore({ url: db.url });
      const points = Array.from({ length: 500 }, (_, i) => pt(i % 2 ? 'a' : 'b', base + i * 7.3, Math.sin(i) * 100));
      await store.append(points);
      const query = q({ aggregation: { method: 'avg', intervalSeconds: 600 } });
      const want = naiveQuery(points, { ...query, aggregation: { method: 'count', intervalSeconds: 600 } });
      const before = await store.query(query);
      await store.close();
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      await c.query(`DROP TABLE lynx_tsdb.ts_minute; UPDATE lynx_tsdb.ts_meta SET value = '1' WHERE key = 'version'`);
      await c.end();
      store = await openPostgresStore({ url: db.url });
      try {
        expect(await store.query(query)).toEqual(before);
        expect((await store.query({ ...query, aggregation: { method: 'count', intervalSeconds: 600 } })).data).toEqual(want.data);
      } finally {
        await store.close();
      }
    } finally {
      await db.drop();
    }
  });
});
