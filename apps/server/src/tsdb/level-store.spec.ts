import { describe, expect, it } from 'vitest';
import { openLevelStore, StoreClosedError, type LevelTimeSeriesStore } from './level-store.js';
import { naiveAggregate, naiveQuery, pt, withTempDir } from './test-helpers.js';
import { aggregationMethods, type AggregationMethod, type Point, type SeriesQuery } from './types.js';

const base = 1_700_000_000;

function q(over: Partial<SeriesQuery> = {}): SeriesQuery {
  return { installationId: 1, limit: 1000, offset: 0, order: 'asc', includeTotal: true, ...over };
}

async function withStore<T>(fn: (store: LevelTimeSeriesStore, dir: string) => Promise<T>): Promise<T> {
  return withTempDir(async (dir) => {
    const store = await openLevelStore(dir);
    try {
      return await fn(store, dir);
    } finally {
      await store.close();
    }
  });
}

describe('LevelDB time-series store', () => {
  it('round-trips points in ascending and descending order', async () => {
    await withStore(async (store) => {
      const points = [pt('obj/a', base + 2, 2, 'two'), pt('obj/a', base, 0, 'zéro'), pt('obj/a', base + 1, 1)];
      await store.append(points);
      const asc = await store.query(q());
      expect(asc.data.map((p) => p.value)).toEqual([0, 1, 2]);
      expect(asc.data[0]).toEqual({ installationId: 1, topic: 'obj/a', timestamp: base, value: 0, msg: 'zéro' });
      expect(asc).toMatchObject({ total: 3, count: 3, last: base + 2 });
      const desc = await store.query(q({ order: 'desc' }));
      expect(desc.data.map((p) => p.value)).toEqual([2, 1, 0]);
      expect(desc.last).toBe(base);
    });
  });

  it('filters by topics and inclusive time bounds, merging topics by time then topic', async () => {
    await withStore(async (store) => {
      await store.append([
        pt('b', base + 1, 10),
        pt('a', base + 1, 20),
        pt('a', base + 3, 21),
        pt('c', base + 2, 30),
        pt('a', base + 5, 22),
        pt('x', base + 2, 99, '', 2),
      ]);
      const page = await store.query(q({ from: base + 1, to: base + 3 }));
      expect(page.data.map((p) => [p.topic, p.timestamp])).toEqual([
        ['a', base + 1],
        ['b', base + 1],
        ['c', base + 2],
        ['a', base + 3],
      ]);
      const desc = await store.query(q({ from: base + 1, to: base + 3, order: 'desc' }));
      expect(desc.data).toEqual([...page.data].reverse());
      const onlyAC = await store.query(q({ topics: ['c', 'a', 'nope', 'a'] }));
      expect(onlyAC.data.map((p) => p.value)).toEqual([20, 30, 21, 22]);
      expect((await store.query(q({ installationId: 3 }))).total).toBe(0);
      expect(await store.query(q({ from: base + 4, to: base + 3 }))).toEqual({ total: 0, last: 0, count: 0, data: [] });
    });
  });

  it('pages with limit/offset and reports the exact total', async () => {
    await withStore(async (store) => {
      const points: Point[] = [];
      for (let i = 0; i < 250; i++) points.push(pt(i % 2 ? 'odd' : 'even', base + i, i));
      await store.append(points);
      for (const order of ['asc', 'desc'] as const) {
        const seen: number[] = [];
        let offset = 0;
        let total = Infinity;
        // The loop GD-old uses: stop when offset >= total.
        while (offset < total) {
          const page = await store.query(q({ order, limit: 40, offset }));
          expect(page.total).toBe(250);
          expect(page.count).toBe(page.data.length);
          seen.push(...page.data.map((p) => p.value));
          total = page.total;
          offset += page.count;
        }
        const expected = points.map((p) => p.value);
        expect(seen).toEqual(order === 'asc' ? expected : expected.reverse());
      }
      const past = await store.query(q({ offset: 1000, limit: 10 }));
      expect(past).toMatchObject({ total: 250, count: 0, last: 0 });
      const none = await store.query(q({ limit: 0 }));
      expect(none).toMatchObject({ total: 250, count: 0 });
    });
  });

  it('without includeTotal reports the rows it saw: exact at the end, more than offset+count otherwise', async () => {
    await withStore(async (store) => {
      await store.append(Array.from({ length: 50 }, (_, i) => pt('t', base + i, i)));
      const mid = await store.query(q({ limit: 10, offset: 20, includeTotal: false }));
      expect(mid.count).toBe(10);
      expect(mid.total).toBeGreaterThan(30);
      expect(mid.total).toBeLessThanOrEqual(50);
      const end = await store.query(q({ limit: 10, offset: 45, includeTotal: false }));
      expect(end).toMatchObject({ count: 5, total: 50 });
      const beyond = await store.query(q({ limit: 10, offset: 70, includeTotal: false }));
      expect(beyond).toMatchObject({ count: 0, total: 50 });
    });
  });

  it('keeps every point that shares a timestamp, within a batch and across batches', async () => {
    await withStore(async (store) => {
      await store.append([pt('t', base, 1, 'a'), pt('t', base, 2, 'b')]);
      await store.append([pt('t', base, 3, 'c')]);
      const page = await store.query(q());
      expect(page.data.map((p) => [p.value, p.msg])).toEqual([
        [1, 'a'],
        [2, 'b'],
        [3, 'c'],
      ]);
      expect((await store.query(q({ order: 'desc' }))).data.map((p) => p.value)).toEqual([3, 2, 1]);
    });
  });

  it('returns float timestamps exactly, to the microsecond', async () => {
    const stamps = [
      1700000000.123, 1700000000.000001, 1700000000.999999, 1699999999.5, 0.000001, 1, 4102444800.654321, 1234567890.1,
      1712345678.987654, -86400.25,
    ];
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 200; i++) {
      const micros = Math.floor(rnd() * 1e6);
      stamps.push(Number(`${1_600_000_000 + Math.floor(rnd() * 2e8)}.${String(micros).padStart(6, '0')}`));
    }
    await withStore(async (store) => {
      await store.append(stamps.map((t, i) => pt(`t${i}`, t, i)));
      const page = await store.query(q({ limit: 10_000 }));
      const back = new Map(page.data.map((p) => [p.value, p.timestamp]));
      stamps.forEach((t, i) => expect(back.get(i)).toBe(t));
      const latest = await store.latest(1);
      for (const p of latest) expect(p.timestamp).toBe(stamps[p.value]);
    });
  });

  it('latest() never lets an older timestamp overwrite a newer value', async () => {
    await withStore(async (store) => {
      await store.append([pt('a', base + 10, 10, 'new'), pt('b', base, 1)]);
      await store.append([pt('a', base + 5, 5, 'old'), pt('b', base + 1, 2)]);
      // Within one batch too.
      await store.append([pt('c', base + 9, 9), pt('c', base + 3, 3)]);
      // Equal timestamp: the later arrival wins.
      await store.append([pt('b', base + 1, 3, 'same time')]);
      const latest = await store.latest(1);
      expect(latest.map((p) => [p.topic, p.value, p.msg])).toEqual([
        ['a', 10, 'new'],
        ['b', 3, 'same time'],
        ['c', 9, ''],
      ]);
      expect((await store.latest(1, ['c', 'zz'])).map((p) => p.value)).toEqual([9]);
      expect(await store.latest(2)).toEqual([]);
      // History still has the older points.
      expect((await store.query(q({ topics: ['a'] }))).total).toBe(2);
    });
  });

  it('keeps history, last values and series ids across a restart', async () => {
    await withTempDir(async (dir) => {
      const first = await openLevelStore(dir);
      await first.append([pt('a', base, 1), pt('b', base + 1, 2), pt('a', base + 2, 3, 'm', 7)]);
      const ids = [first.seriesId(1, 'a'), first.seriesId(1, 'b'), first.seriesId(7, 'a')];
      expect(new Set(ids).size).toBe(3);
      await first.close();

      const second = await openLevelStore(dir);
      expect([second.seriesId(1, 'a'), second.seriesId(1, 'b'), second.seriesId(7, 'a')]).toEqual(ids);
      expect((await second.latest(7)).map((p) => [p.topic, p.value, p.msg])).toEqual([['a', 3, 'm']]);
      // Same timestamp as before the restart: the new process must not overwrite the old point.
      await second.append([pt('a', base, 10), pt('c', base, 4)]);
      expect(ids).not.toContain(second.seriesId(1, 'c'));
      expect((await second.query(q({ topics: ['a'] }))).data.map((p) => p.value)).toEqual([1, 10]);
      await second.close();

      const third = await openLevelStore(dir);
      expect((await third.query(q())).data.map((p) => p.value)).toEqual([1, 10, 4, 2]);
      expect((await third.latest(1)).map((p) => p.value)).toEqual([10, 2, 4]);
      await third.close();
    });
  });

  it('aggregates every method per topic and bucket like a naive reference', async () => {
    await withStore(async (store) => {
      const points: Point[] = [];
      let seed = 42;
      const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
      for (let i = 0; i < 600; i++) {
        const topic = ['x', 'y', 'z'][i % 3];
        points.push(pt(topic, base + Math.floor(rnd() * 3600 * 3) + rnd(), Math.round((rnd() * 200 - 100) * 1000) / 1000));
      }
      // A lone point in its own bucket: stddev must be 0, percentile the value itself.
      points.push(pt('x', base + 4 * 3600 + 1, 5));
      await store.append(points);
      const methods: AggregationMethod[] = [...aggregationMethods, { percentile: 50 }, { percentile: 90 }, { percentile: 99 }, { percentile: 12.5 }];
      for (const method of methods) {
        for (const order of ['asc', 'desc'] as const) {
          const query = q({ order, aggregation: { method, intervalSeconds: 900 }, limit: 10_000 });
          const got = await store.query(query);
          const want = naiveQuery(points, query);
          expect(got.total).toBe(want.total);
          expect(got.data.map((p) => [p.topic, p.timestamp, p.msg])).toEqual(want.data.map((p) => [p.topic, p.timestamp, p.msg]));
          got.data.forEach((p, i) => expect(p.value, `${JSON.stringify(method)} ${order} row ${i}`).toBeCloseTo(want.data[i].value, 9));
        }
      }
    });
  });

  it('aligns buckets to multiples of the interval since the epoch', async () => {
    await withStore(async (store) => {
      // 1700000000 is 2023-11-14T22:13:20Z: its 10-minute bucket starts at 22:10:00 and ends before 22:20:00.
      await store.append([pt('t', base, 1), pt('t', base + 399.5, 2), pt('t', base + 400, 3), pt('t', base + 1000, 4)]);
      const page = await store.query(q({ aggregation: { method: 'sum', intervalSeconds: 600 } }));
      expect(page.data.map((p) => [p.timestamp, p.value])).toEqual([
        [1699999800, 3],
        [1700000400, 3],
        [1700001000, 4],
      ]);
      expect(page.data.every((p) => p.timestamp % 600 === 0)).toBe(true);
      const paged = await store.query(q({ aggregation: { method: 'count', intervalSeconds: 600 }, order: 'desc', limit: 1, offset: 1 }));
      expect(paged).toMatchObject({ total: 3, count: 1, last: 1700000400 });
      expect(paged.data[0]).toMatchObject({ value: 1, msg: '' });
      const fractional = await store.query(q({ aggregation: { method: 'count', intervalSeconds: 0.5 } }));
      expect(fractional.data.map((p) => p.timestamp)).toEqual([base, base + 399.5, base + 400, base + 1000]);
    });
  });

  it('group-commits concurrent appends and every awaited append is durable', async () => {
    await withTempDir(async (dir) => {
      const store = await openLevelStore(dir, { batchSize: 500 });
      const appends: Promise<void>[] = [];
      for (let c = 0; c < 100; c++) {
        appends.push(store.append(Array.from({ length: 37 }, (_, i) => pt(`dev${c % 10}`, base + c * 100 + i, c * 1000 + i))));
        if (c % 10 === 0) await new Promise((r) => setImmediate(r));
      }
      await Promise.all(appends);
      const { batches, points } = store.stats();
      expect(points).toBe(3700);
      expect(batches).toBeLessThan(100);
      expect(batches).toBeGreaterThanOrEqual(Math.ceil(3700 / 500));
      await store.close();

      const reopened = await openLevelStore(dir);
      const page = await reopened.query(q({ limit: 10_000 }));
      expect(page.total).toBe(3700);
      expect(new Set(page.data.map((p) => p.value)).size).toBe(3700);
      await reopened.close();
    });
  });

  it('splits one large append over several capped batches', async () => {
    await withStore(async (store) => {
      await store.append(Array.from({ length: 1234 }, (_, i) => pt('t', base + i, i)));
      expect(store.stats().batches).toBe(Math.ceil(1234 / 5000));
      const small = await withTempDir(async (dir) => {
        const s = await openLevelStore(dir, { batchSize: 100 });
        await s.append(Array.from({ length: 1234 }, (_, i) => pt('t', base + i, i)));
        const stats = s.stats();
        const total = (await s.query(q())).total;
        await s.close();
        return { stats, total };
      });
      expect(small.stats.batches).toBe(13);
      expect(small.total).toBe(1234);
    });
  });

  it('close() flushes pending appends; append after close rejects clearly', async () => {
    await withTempDir(async (dir) => {
      const store = await openLevelStore(dir);
      const pending = store.append(Array.from({ length: 3000 }, (_, i) => pt('t', base + i, i)));
      await store.close();
      await pending;
      await expect(store.append([pt('t', base, 1)])).rejects.toBeInstanceOf(StoreClosedError);
      await expect(store.append([pt('t', base, 1)])).rejects.toThrow(/closed/);
      await expect(store.query(q())).rejects.toBeInstanceOf(StoreClosedError);
      await store.close(); // idempotent

      const reopened = await openLevelStore(dir);
      expect((await reopened.query(q({ limit: 1 }))).total).toBe(3000);
      expect((await reopened.latest(1))[0].value).toBe(2999);
      await reopened.close();
    });
  });

  it('rejects invalid points without writing any of the append', async () => {
    await withStore(async (store) => {
      await expect(store.append([pt('t', base, 1), pt('t', NaN, 2)])).rejects.toThrow(TypeError);
      await expect(store.append([pt('t', base, Infinity)])).rejects.toThrow(TypeError);
      await expect(store.append([pt('', base, 1)])).rejects.toThrow(TypeError);
      await expect(store.append([pt('t', 1e12, 1)])).rejects.toThrow(TypeError);
      expect((await store.query(q())).total).toBe(0);
      await expect(store.query(q({ limit: -1 }))).rejects.toThrow(RangeError);
      await expect(store.query(q({ aggregation: { method: { percentile: 0 }, intervalSeconds: 60 } }))).rejects.toThrow(RangeError);
    });
  });

  it('a failed write rejects the appends of that batch', async () => {
    await withStore(async (store) => {
      await store.append([pt('t', base, 1)]);
      type Chained = { write: (o: unknown) => Promise<void>; close: () => Promise<void> };
      const db = (store as unknown as { db: { batch: () => Chained } }).db;
      const original = db.batch;
      db.batch = () => {
        const chained = original.call(db);
        chained.write = async () => {
          await chained.close();
          throw new Error('disk full');
        };
        return chained;
      };
      const a = store.append([pt('t', base + 1, 2)]);
      const b = store.append([pt('u', base + 1, 3)]);
      await expect(a).rejects.toThrow('disk full');
      await expect(b).rejects.toThrow('disk full');
      db.batch = original;
      await store.append([pt('u', base + 2, 4)]);
      const after = await store.query(q());
      expect(after.data.map((p) => p.value)).toEqual([1, 4]);
      expect(after.total).toBe(2);
      expect((await store.latest(1)).map((p) => p.value)).toEqual([1, 4]);
    });
  });

  it('deleteInstallation removes history and last values of that installation only', async () => {
    await withTempDir(async (dir) => {
      const store = await openLevelStore(dir);
      await store.append([pt('a', base, 1, '', 1), pt('b', base + 86400 * 3, 2, '', 1), pt('a', base, 3, '', 2)]);
      const queued = store.append([pt('c', base, 4, '', 1)]);
      await store.deleteInstallation(1);
      await queued;
      expect((await store.query(q())).total).toBe(0);
      expect(await store.latest(1)).toEqual([]);
      expect((await store.query(q({ installationId: 2 }))).total).toBe(1);
      await store.append([pt('a', base + 1, 5, '', 1)]);
      await store.close();

      const reopened = await openLevelStore(dir);
      expect((await reopened.query(q())).data.map((p) => p.value)).toEqual([5]);
      expect((await reopened.latest(2)).map((p) => p.value)).toEqual([3]);
      await reopened.close();
    });
  });

  it('checks each aggregation method on a known bucket', async () => {
    await withStore(async (store) => {
      const values = [4, 8, 15, 16, 23, 42];
      await store.append(values.map((v, i) => pt('t', base + i, v)));
      for (const method of [...aggregationMethods, { percentile: 95 }] as AggregationMethod[]) {
        const page = await store.query(q({ aggregation: { method, intervalSeconds: 3600 } }));
        expect(page.count).toBe(1);
        expect(page.data[0].value).toBeCloseTo(naiveAggregate(method, values), 12);
      }
    });
  });
});
