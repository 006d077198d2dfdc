// Reads of what the storage processor wrote: last values (status, spec 2.7) and history (log v3),
// with the installation checks of the AAM. Status answers relative topics, log prefixed ones.
import { parseGoDuration, prefixTopic, toRelativeTopic, type LogEntry, type LogPage } from '@lynx/shared';
import { BadRequestError } from '../../aam/errors.js';
import type { Principal } from '../../aam/principal.js';
import type { AccessPolicy } from '../../aam/services/access-policy.js';
import { parseAggregationMethod } from '../../tsdb/aggregate.js';
import { aggregationMethods, type AggregationMethod, type Point, type TimeSeriesStore } from '../../tsdb/types.js';

export interface LogParams {
  from?: unknown;
  to?: unknown;
  limit?: unknown;
  offset?: unknown;
  order?: unknown;
  topics?: unknown;
  aggr_method?: unknown;
  aggr_interval?: unknown;
  include_total?: unknown;
}

export const defaultLogLimit = 1000;
export const maxLogLimit = 100_000;

const single = (v: unknown) => (Array.isArray(v) ? v[v.length - 1] : v);

/** Topics arrive repeated (`topics=a&topics=b`), comma-joined (`topics=a,b`) or as a JSON array body. */
export function parseTopicList(raw: unknown): string[] | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const list = Array.isArray(raw) ? raw : [raw];
  const topics: string[] = [];
  for (const item of list) {
    if (typeof item !== 'string') throw new BadRequestError('topics must be strings');
    for (const t of item.split(',')) if (t.trim()) topics.push(t.trim());
  }
  return topics.length ? topics : undefined;
}

function number(raw: unknown, name: string): number | undefined {
  const v = single(raw);
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new BadRequestError(`${name} must be a number, got ${JSON.stringify(v)}`);
  return n;
}

function wholeNumber(raw: unknown, name: string, fallback: number, max: number): number {
  const n = number(raw, name);
  if (n === undefined) return fallback;
  if (!Number.isInteger(n) || n < 0) throw new BadRequestError(`${name} must be a non-negative integer, got ${JSON.stringify(single(raw))}`);
  return Math.min(n, max);
}

function aggregationMethod(raw: string): AggregationMethod {
  const method = parseAggregationMethod(raw);
  if (!method) throw new BadRequestError(`aggr_method must be one of ${aggregationMethods.join(', ')} or percentile(N) with N in (0, 100], got ${JSON.stringify(raw)}`);
  return method;
}

/** One topic's status entry as JSON, kept while its last value stays the same. */
interface StatusFragment {
  topic: string;
  timestamp: number;
  value: number;
  msg: string;
  json: string;
}

interface StatusCache {
  fragments: Map<string, StatusFragment>;
  /** The last all-topics answer: its fragments in order and the body made of them. */
  list?: StatusFragment[];
  body?: Buffer;
}

const sameValue = (f: StatusFragment, pt: Point) => f.topic === pt.topic && f.timestamp === pt.timestamp && f.value === pt.value && f.msg === pt.msg;

export class DataService {
  /**
   * Status of a building is polled far more often than its values change, and serializing a
   * thousand entries was most of each request in the profile (docs/performance.md).
   */
  private readonly statusCache = new Map<number, StatusCache>();

  constructor(
    private readonly store: TimeSeriesStore,
    private readonly policy: AccessPolicy,
  ) {}

  async status(p: Principal, installationId: number, topics?: string[]): Promise<LogEntry[]> {
    const inst = this.policy.require(p, 'status/read', installationId);
    const relative = topics?.map((t) => toRelativeTopic(inst.clientId, t));
    const points = await this.store.latest(installationId, relative);
    return points.map((pt) => this.entry(pt, inst.clientId, pt.topic));
  }

  /** The same answer as status(), as a JSON body ready to send. */
  async statusJson(p: Principal, installationId: number, topics?: string[]): Promise<Buffer> {
    const inst = this.policy.require(p, 'status/read', installationId);
    const relative = topics?.map((t) => toRelativeTopic(inst.clientId, t));
    const points = await this.store.latest(installationId, relative);
    let cache = this.statusCache.get(installationId);
    if (!cache) this.statusCache.set(installationId, (cache = { fragments: new Map() }));
    const all = relative === undefined;
    if (all && cache.body && cache.list?.length === points.length && points.every((pt, i) => sameValue(cache.list![i], pt))) return cache.body;

    const list: StatusFragment[] = new Array(points.length);
    for (let i = 0; i < points.length; i++) {
      const pt = points[i];
      let f = cache.fragments.get(pt.topic);
      if (!f || !sameValue(f, pt)) {
        f = { topic: pt.topic, timestamp: pt.timestamp, value: pt.value, msg: pt.msg, json: JSON.stringify(this.entry(pt, inst.clientId, pt.topic)) };
        cache.fragments.set(pt.topic, f);
      }
      list[i] = f;
    }
    const body = Buffer.from(`[${list.map((f) => f.json).join(',')}]`);
    if (all) {
      // Rebuilt from the answer, so topics deleted since are not kept forever.
      cache.fragments = new Map(list.map((f) => [f.topic, f]));
      cache.list = list;
      cache.body = body;
    }
    return body;
  }

  async log(p: Principal, installationId: number, params: LogParams, bodyTopics?: unknown): Promise<LogPage> {
    const inst = this.policy.require(p, 'log/read', installationId);
    if (bodyTopics !== undefined && !Array.isArray(bodyTopics)) throw new BadRequestError('body must be a JSON array of topics');
    const topics = parseTopicList(bodyTopics ?? params.topics)?.map((t) => toRelativeTopic(inst.clientId, t));
    const from = number(params.from, 'from');
    const to = number(params.to, 'to');
    if (from !== undefined && to !== undefined && from > to) throw new BadRequestError('from must not be after to');
    const orderRaw = String(single(params.order) ?? 'desc').toLowerCase() || 'desc';
    if (orderRaw !== 'asc' && orderRaw !== 'desc') throw new BadRequestError(`order must be asc or desc, got ${JSON.stringify(orderRaw)}`);
    const methodRaw = single(params.aggr_method);
    const intervalRaw = single(params.aggr_interval);
    let aggregation: { method: AggregationMethod; intervalSeconds: number } | undefined;
    if (typeof methodRaw === 'string' && methodRaw !== '') {
      const intervalSeconds = intervalRaw === undefined || intervalRaw === '' ? 60 : parseGoDuration(String(intervalRaw));
      if (intervalSeconds === null || intervalSeconds < 0.001) {
        throw new BadRequestError(`aggr_interval must be a Go duration of at least 1ms such as 1m0s or 10m, got ${JSON.stringify(intervalRaw)}`);
      }
      aggregation = { method: aggregationMethod(methodRaw), intervalSeconds };
    }
    const includeTotal = String(single(params.include_total) ?? 'true').toLowerCase() !== 'false';
    const page = await this.store.query({
      installationId,
      topics,
      from,
      to,
      limit: wholeNumber(params.limit, 'limit', defaultLogLimit, maxLogLimit),
      offset: wholeNumber(params.offset, 'offset', 0, Number.MAX_SAFE_INTEGER),
      order: orderRaw,
      aggregation,
      includeTotal,
    });
    return {
      total: page.total,
      last: page.last,
      count: page.count,
      data: page.data.map((pt) => this.entry(pt, inst.clientId, prefixTopic(inst.clientId, pt.topic))),
    };
  }

  private entry(pt: Point, clientId: number, topic: string): LogEntry {
    return { client_id: clientId, installation_id: pt.installationId, topic, value: pt.value, msg: pt.msg, timestamp: pt.timestamp };
  }
}
