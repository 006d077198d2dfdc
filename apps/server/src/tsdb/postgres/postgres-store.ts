// The PostgreSQL time-series backend (cluster mode): same contract and results as the LevelDB store,
// with the data shared by every node. Appends are group-committed (one multi-row INSERT per batch,
// its last-value upserts in the same statement) and resolve once committed.

import pg from 'pg';
import { createAccumulator, summaryValue } from '../aggregate.js';
import { assertPoint, StoreClosedError } from '../checks.js';
import { GroupCommitQueue } from '../group-commit.js';
import { boundToMicros, fromMicros, MAX_MICROS, MIN_MICROS, toMicros } from '../keys.js';
import { assertQuery } from '../query.js';
import { horizonSeconds, nextHorizon, type Horizon, type RetentionCut, type RetentionResult } from '../retention.js';
import type { Point, RetentionCapableStore, SeriesPage, SeriesQuery, TimeSeriesStore } from '../types.js';
import { partialsOfGroups } from './exact-sum-sql.js';
import { ensurePartition, listPartitions, monthOf, type MonthRange } from './partitions.js';
import { aggregateKind, aggregatePageSql, rawPageSql, rollupPageSql, rollupsAnswer, rollupUpsertSql } from './query-sql.js';
import { ident, migrate, namesOf, type Names } from './schema.js';

type LogFn = (obj: object, msg?: string) => void;

export interface PostgresStoreOptions {
  /** postgresql://… connection string. */
  url: string;
  logger?: { warn: LogFn; error: LogFn };
  /** Schema holding the tables (default `lynx_tsdb`), created if missing. */
  schema?: string;
  /** Most points per INSERT (default 5,000). */
  batchSize?: number;
  /** Pool size (default 4). */
  maxConnections?: number;
  /** Aggregations answered from minute rollups where they can be (default true); false forces raw scans. */
  rollupQueries?: boolean;
}

export { StoreClosedError } from '../checks.js';

const silent = { warn: () => {}, error: () => {} };
const EMPTY: SeriesPage = { total: 0, last: 0, count: 0, data: [] };
const NO_PARTITION = '23514';

export async function openPostgresStore(opts: PostgresStoreOptions): Promise<PostgresTimeSeriesStore> {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.maxConnections ?? 4,
    // Shortest round-trip float text on every server version: values come back bit for bit. No JIT:
    // these statements are short, and compiling them cost ~0.5 s per query on 1M points (bench).
    options: '-c extra_float_digits=3 -c jit=off',
  });
  const log = opts.logger ?? silent;
  pool.on('error', (err) => log.error({ err }, 'tsdb postgres: idle connection failed'));
  try {
    const n = namesOf(opts.schema ?? 'lynx_tsdb');
    const client = await pool.connect();
    try {
      await migrate(client, n);
    } finally {
      client.release();
    }
    const store = new PostgresTimeSeriesStore(pool, n, opts, log);
    await store.load();
    return store;
  } catch (err) {
    await pool.end().catch(() => {});
    throw err;
  }
}

export class PostgresTimeSeriesStore implements TimeSeriesStore, RetentionCapableStore {
  /** (installation, topic) → series id; ids are never reused, so a cached id stays valid until deleted. */
  private readonly seriesIds = new Map<number, Map<string, number>>();
  private readonly partitions = new Set<string>();
  private readonly queue: GroupCommitQueue<Point>;
  private state: 'open' | 'closing' | 'closed' = 'open';
  private closing?: Promise<void>;
  private readonly rollupQueries: boolean;

  /** Use openPostgresStore(). */
  constructor(
    private readonly pool: pg.Pool,
    private readonly n: Names,
    opts: PostgresStoreOptions,
    private readonly log: { warn: LogFn; error: LogFn },
  ) {
    this.rollupQueries = opts.rollupQueries ?? true;
    this.queue = new GroupCommitQueue<Point>({ maxBatch: opts.batchSize ?? 5000, write: (points) => this.writeBatch(points) });
  }

  /** @internal Loads the series catalogue and the partition list. */
  async load(): Promise<void> {
    await this.reloadSeries();
    await this.reloadPartitions();
  }

  private async reloadSeries(): Promise<void> {
    const r = await this.pool.query<{ id: number; installation: string; topic: string }>(`SELECT id, installation, topic FROM ${this.n.series}`);
    this.seriesIds.clear();
    for (const row of r.rows) this.remember(Number(row.installation), row.topic, row.id);
  }

  private async reloadPartitions(): Promise<void> {
    this.partitions.clear();
    for (const p of await listPartitions(this.pool, this.n)) this.partitions.add(p.name);
  }

  private remember(installationId: number, topic: string, id: number): void {
    let m = this.seriesIds.get(installationId);
    if (!m) this.seriesIds.set(installationId, (m = new Map()));
    m.set(topic, id);
  }

  append(points: Point[]): Promise<void> {
    if (this.state !== 'open') return Promise.reject(new StoreClosedError());
    try {
      for (const p of points) assertPoint(p);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.queue.push(points);
  }

  private async writeBatch(points: Point[], attempt = 0): Promise<void> {
    const ids = await this.resolveSeries(points);
    const micros = points.map((p) => toMicros(p.timestamp));
    await this.ensurePartitions(micros);
    // Rows whose series another node deleted meanwhile (deleteInstallation) are left out and reported, not
    // written as orphans: that delete holds a SHARE lock on ts_point while it removes the series, so this
    // statement either commits before it or sees the series gone. The arrival order (seq) follows the
    // array order: nextval runs row by row over the ordered subquery.
    const text = `
      WITH u AS (SELECT * FROM unnest($1::int[], $2::int8[], $3::float8[], $4::text[]) WITH ORDINALITY AS u(series, t, value, msg, ord)),
      ok AS MATERIALIZED (SELECT u.* FROM u WHERE EXISTS (SELECT 1 FROM ${this.n.series} s WHERE s.id = u.series)),
      ins AS (
        INSERT INTO ${this.n.point} (series, t, seq, value, msg)
        SELECT series, t, nextval('${this.n.pointSeq.replace(/'/g, "''")}'), value, msg FROM (SELECT * FROM ok ORDER BY ord) z
        RETURNING series, t, seq, value, msg
      ),
      up AS (
        INSERT INTO ${this.n.last} AS l (series, t, seq, value, msg)
        SELECT DISTINCT ON (series) series, t, seq, value, msg FROM ins ORDER BY series, t DESC, seq DESC
        ON CONFLICT (series) DO UPDATE SET t = excluded.t, seq = excluded.seq, value = excluded.value, msg = excluded.msg
        WHERE (excluded.t, excluded.seq) > (l.t, l.seq)
        RETURNING 1
      ),
      roll AS (${rollupUpsertSql(this.n)} RETURNING 1)
      SELECT array(SELECT DISTINCT u.series FROM u WHERE NOT EXISTS (SELECT 1 FROM ok WHERE ok.series = u.series)) AS gone`;
    const values = [ids, micros, points.map((p) => (Object.is(p.value, -0) ? '-0' : p.value)), points.map((p) => p.msg ?? '')];
    let gone: number[];
    try {
      gone = (await this.pool.query<{ gone: number[] }>(text, values)).rows[0].gone;
    } catch (err) {
      // Another node dropped a month (retention) that this one still had cached: recreate and retry once.
      if ((err as { code?: string }).code !== NO_PARTITION) throw err;
      await this.reloadPartitions();
      await this.ensurePartitions(micros);
      gone = (await this.pool.query<{ gone: number[] }>(text, values)).rows[0].gone;
    }
    if (gone.length === 0) return;
    // Those points belong to series created anew, as appends after a local deleteInstallation do.
    if (attempt >= 2) throw new Error('tsdb postgres: series keep vanishing while writing');
    const vanished = new Set(gone);
    for (const [inst, topics] of this.seriesIds) {
      for (const [topic, id] of topics) if (vanished.has(id)) topics.delete(topic);
      if (topics.size === 0) this.seriesIds.delete(inst);
    }
    await this.writeBatch(points.filter((_, i) => vanished.has(ids[i])), attempt + 1);
  }

  private async resolveSeries(points: Point[]): Promise<number[]> {
    const missing = new Map<string, { installationId: number; topic: string }>();
    for (const p of points) {
      if (this.seriesIds.get(p.installationId)?.has(p.topic)) continue;
      missing.set(`${p.installationId}\u0000${p.topic}`, { installationId: p.installationId, topic: p.topic });
    }
    if (missing.size > 0) {
      const inst = [...missing.values()].map((m) => m.installationId);
      const topics = [...missing.values()].map((m) => m.topic);
      // Another node may create the same series meanwhile: insert what is missing, then read all back.
      await this.pool.query(
        `INSERT INTO ${this.n.series} (installation, topic) SELECT * FROM unnest($1::int8[], $2::text[]) ON CONFLICT DO NOTHING`,
        [inst, topics],
      );
      const r = await this.pool.query<{ id: number; installation: string; topic: string }>(
        `SELECT s.id, s.installation, s.topic FROM ${this.n.series} s
           JOIN unnest($1::int8[], $2::text[]) AS u(installation, topic) ON u.installation = s.installation AND u.topic = s.topic`,
        [inst, topics],
      );
      for (const row of r.rows) this.remember(Number(row.installation), row.topic, row.id);
    }
    return points.map((p) => {
      const id = this.seriesIds.get(p.installationId)?.get(p.topic);
      if (id === undefined) throw new Error(`tsdb postgres: series ${p.installationId}/${p.topic} vanished while writing`);
      return id;
    });
  }

  private async ensurePartitions(micros: number[]): Promise<void> {
    const needed = new Map<string, MonthRange>();
    for (const t of micros) {
      const m = monthOf(t);
      if (!this.partitions.has(m.name)) needed.set(m.name, m);
    }
    for (const m of needed.values()) {
      await ensurePartition(this.pool, this.n, m);
      this.partitions.add(m.name);
    }
  }

  async latest(installationId: number, topics?: string[]): Promise<Point[]> {
    if (this.state === 'closed') throw new StoreClosedError();
    const wanted = topics?.length ? [...new Set(topics)] : undefined;
    const r = await this.pool.query<{ topic: string; t: number; value: number; msg: string }>(
      `SELECT s.topic, l.t::float8 AS t, l.value, l.msg FROM ${this.n.series} s JOIN ${this.n.last} l ON l.series = s.id
        WHERE s.installation = $1 ${wanted ? 'AND s.topic = ANY($2::text[])' : ''}`,
      wanted ? [installationId, wanted] : [installationId],
    );
    const byTopic = new Map(r.rows.map((row) => [row.topic, row]));
    const order = wanted ?? [...byTopic.keys()].sort(compareTopics);
    const out: Point[] = [];
    for (const topic of order) {
      const row = byTopic.get(topic);
      if (row) out.push({ installationId, topic, timestamp: fromMicros(row.t), value: row.value, msg: row.msg });
    }
    return out;
  }

  async query(q: SeriesQuery): Promise<SeriesPage> {
    if (this.state === 'closed') throw new StoreClosedError();
    assertQuery(q);
    const wanted = q.topics?.length ? [...new Set(q.topics)] : undefined;
    // Read from the database, not the cache: series created by other nodes must show up.
    const r = await this.pool.query<{ id: number; topic: string }>(
      `SELECT id, topic FROM ${this.n.series} WHERE installation = $1 ${wanted ? 'AND topic = ANY($2::text[])' : ''}`,
      wanted ? [q.installationId, wanted] : [q.installationId],
    );
    const series = r.rows.sort((a, b) => compareTopics(a.topic, b.topic));
    const lo = boundToMicros(q.from, MIN_MICROS);
    const hi = boundToMicros(q.to, MAX_MICROS);
    if (series.length === 0 || lo > hi) return { ...EMPTY, data: [] };
    const common = {
      n: this.n,
      installationId: q.installationId,
      ids: series.map((s) => s.id),
      ranks: series.map((_, i) => i),
      lo,
      hi,
      desc: q.order === 'desc',
      offset: q.offset,
      limit: q.limit,
      includeTotal: q.includeTotal,
    };
    const topicOf = (rk: number) => series[rk].topic;
    const cap = q.offset + q.limit + 1;
    if (!q.aggregation) {
      const sql = rawPageSql(common);
      const res = await this.pool.query(sql.text, sql.values);
      const data: Point[] = [];
      for (const row of res.rows) {
        if (row.rk === null) continue;
        data.push({ installationId: q.installationId, topic: topicOf(row.rk), timestamp: fromMicros(row.t), value: row.value, msg: row.msg });
      }
      return page(data, Number(res.rows[0]?.n ?? 0));
    }
    const { method } = q.aggregation;
    const intervalMicros = Math.round(q.aggregation.intervalSeconds * 1e6);
    const args = { ...common, method, intervalMicros };
    const sql = this.rollupQueries && rollupsAnswer(method, intervalMicros) ? rollupPageSql(args) : aggregatePageSql(args);
    const res = await this.pool.query(sql.text, sql.values);
    const kind = aggregateKind(method);
    const data: Point[] = [];
    for (const row of res.rows) {
      if (row.rk === null) continue;
      let value: number;
      switch (kind) {
        case 'count':
          value = row.c;
          break;
        case 'minmax':
          value = summaryValue(method as 'min' | 'max' | 'spread', { count: 1, sum: [], min: row.mn, max: row.mx });
          break;
        case 'sum':
          value = summaryValue(method as 'sum' | 'avg', { count: row.c, sum: partialsOfGroups(row.gs, row.ss), min: NaN, max: NaN });
          break;
        case 'pick':
          value = method === 'first' ? row.fv : row.lv;
          break;
        case 'percentile':
          value = row.pv;
          break;
        case 'values': {
          const acc = createAccumulator(method, !common.desc);
          for (const v of row.vs as string[]) acc.add(Number(v));
          value = acc.result();
          break;
        }
      }
      data.push({ installationId: q.installationId, topic: topicOf(row.rk), timestamp: fromMicros(row.bt), value, msg: '' });
    }
    const n = Number(res.rows[0]?.n ?? 0);
    return page(data, q.includeTotal ? n : Math.min(n, cap));
  }

  /** Runs after every append queued before it. */
  deleteInstallation(installationId: number): Promise<void> {
    if (this.state !== 'open') return Promise.reject(new StoreClosedError());
    return this.queue.exclusive(async () => {
      // Catalogue first, under a SHARE lock on ts_point so no node's insert for these series is in flight
      // or can commit after it (writeBatch checks the series in the same statement). The points, now
      // unreachable, are deleted afterwards without holding up ingestion.
      const ids = await this.transaction(async (c) => {
        await c.query(`LOCK TABLE ${this.n.point} IN SHARE MODE`);
        const r = await c.query<{ id: number }>(`DELETE FROM ${this.n.series} WHERE installation = $1 RETURNING id`, [installationId]);
        const gone = r.rows.map((row) => row.id);
        await c.query(`DELETE FROM ${this.n.last} WHERE series = ANY($1::int[])`, [gone]);
        await c.query(`DELETE FROM ${this.n.horizon} WHERE installation = $1`, [installationId]);
        return gone;
      });
      this.seriesIds.delete(installationId);
      if (ids.length) {
        await this.pool.query(`DELETE FROM ${this.n.point} WHERE series = ANY($1::int[])`, [ids]);
        await this.pool.query(`DELETE FROM ${this.n.minute} WHERE series = ANY($1::int[])`, [ids]);
      }
    });
  }

  /** From the catalogue cache: this node's series plus what was there at open or at the last sweep. */
  installationIds(): number[] {
    return [...this.seriesIds.entries()].filter(([, m]) => m.size > 0).map(([id]) => id);
  }

  /**
   * Moves the installation's horizon forward, then removes its points before it: whole monthly
   * partitions once every installation's horizon has passed them (partitions are shared), a DELETE
   * otherwise; minute rollups before the rollup horizon are DELETEd. Last values stay.
   */
  async applyRetention(installationId: number, cut: RetentionCut): Promise<RetentionResult> {
    if (this.state !== 'open') throw new StoreClosedError();
    const h = await this.queue.exclusive(() =>
      this.transaction(async (c) => {
        const r = await c.query<{ raw: number; rollup: number }>(
          `SELECT raw_micros::float8 AS raw, rollup_micros::float8 AS rollup FROM ${this.n.horizon} WHERE installation = $1 FOR UPDATE`,
          [installationId],
        );
        const cur: Horizon | undefined = r.rows[0] ? { rawMicros: r.rows[0].raw, rollupMicros: r.rows[0].rollup } : undefined;
        const next = nextHorizon(cur, cut);
        if (!cur || cur.rawMicros !== next.rawMicros || cur.rollupMicros !== next.rollupMicros) {
          await c.query(
            `INSERT INTO ${this.n.horizon} (installation, raw_micros, rollup_micros) VALUES ($1, $2, $3)
             ON CONFLICT (installation) DO UPDATE SET raw_micros = excluded.raw_micros, rollup_micros = excluded.rollup_micros`,
            [installationId, next.rawMicros, next.rollupMicros],
          );
        }
        return next;
      }),
    );
    const ids = `SELECT id FROM ${this.n.series} WHERE installation = $1`;
    const cleared = await this.pool.query<{ n: number }>(
      `SELECT count(*)::float8 AS n FROM ${this.n.series} s WHERE s.installation = $1 AND (
          EXISTS (SELECT 1 FROM ${this.n.point} p WHERE p.series = s.id AND p.t < $2::int8)
          OR EXISTS (SELECT 1 FROM ${this.n.minute} r WHERE r.series = s.id AND r.m < $3::int8))`,
      [installationId, h.rawMicros, h.rollupMicros],
    );
    const seriesCleared = cleared.rows[0].n;
    if (h.rawMicros > MIN_MICROS) await this.dropPartitionsBeforeEveryHorizon();
    if (seriesCleared > 0) {
      await this.pool.query(`DELETE FROM ${this.n.point} WHERE series IN (${ids}) AND t < $2::int8`, [installationId, h.rawMicros]);
      await this.pool.query(`DELETE FROM ${this.n.minute} WHERE series IN (${ids}) AND m < $2::int8`, [installationId, h.rollupMicros]);
    }
    // Other nodes may have added installations since open: the sweep sees them from its next run.
    await this.reloadSeries();
    return { rawBefore: horizonSeconds(h.rawMicros), rollupBefore: horizonSeconds(h.rollupMicros), seriesCleared };
  }

  private async dropPartitionsBeforeEveryHorizon(): Promise<void> {
    // An installation without a horizon keeps everything, so it blocks every drop (coalesce to MIN).
    const r = await this.pool.query<{ h: number | null }>(
      `SELECT min(coalesce(h.raw_micros, $1::int8))::float8 AS h
         FROM (SELECT DISTINCT installation FROM ${this.n.series}) i LEFT JOIN ${this.n.horizon} h USING (installation)`,
      [MIN_MICROS],
    );
    const everyHorizon = r.rows[0]?.h;
    if (everyHorizon === null || everyHorizon === undefined || everyHorizon <= MIN_MICROS) return;
    for (const p of await listPartitions(this.pool, this.n)) {
      if (p.hi > everyHorizon) break;
      await this.pool.query(`DROP TABLE IF EXISTS ${ident(this.n.schema)}.${ident(p.name)}`);
      this.partitions.delete(p.name);
      this.log.warn({ partition: p.name }, 'tsdb postgres: dropped a month of points past every retention horizon');
    }
  }

  private async transaction<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      c.release();
    }
  }

  flush(): Promise<void> {
    return this.queue.flush();
  }

  close(): Promise<void> {
    if (!this.closing) {
      this.state = 'closing';
      this.closing = (async () => {
        try {
          await this.queue.flush();
        } finally {
          this.state = 'closed';
          await this.pool.end();
        }
      })();
    }
    return this.closing;
  }
}

function page(data: Point[], total: number): SeriesPage {
  return { total, last: data.length ? data[data.length - 1].timestamp : 0, count: data.length, data };
}

/** JavaScript string order (UTF-16 code units), the LevelDB backend's tie-break across topics. */
function compareTopics(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

