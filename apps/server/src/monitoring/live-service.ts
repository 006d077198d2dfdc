// Live data for the admin UI, with the same access rules as REST and MQTT: last values as they
// arrive (`status/read`), a tail of raw messages (`mqtt/subscribe`), and publishing as the caller
// would over MQTT (`mqtt/publish`). Streams check access when opened and again now and then, so a
// revoked token or a lost assignment ends them.
import { parseValuePayload, topicMatches, type LiveEvent, type LiveValue, type TailEvent } from '@lynx/shared';
import { BadRequestError, ForbiddenError, UnauthorizedError } from '../aam/errors.js';
import type { Principal } from '../aam/principal.js';
import type { AccessPolicy } from '../aam/services/access-policy.js';
import type { DataService } from '../processors/storage/data-service.js';
import type { BusMessage } from '../processors/types.js';
import { EventQueue } from './event-queue.js';
import type { LiveFeed } from './live-feed.js';

export type PublishFn = (topic: string, payload: string, opts: { qos: 0 | 1; retain: boolean }) => Promise<void>;

export interface LiveServiceDeps {
  feed: LiveFeed;
  data: DataService;
  policy: AccessPolicy;
  /** Re-resolves a caller's token: null once it is revoked or expired. */
  principalForTokenId: (tokenId: number) => Promise<Principal | null>;
  /** Late-bound: the bus starts after the services. */
  publish: PublishFn;
  /** Payloads larger than this are not values (the storage limit). */
  maxPayloadBytes: number;
  nowMs?: () => number;
}

/** Queued messages per stream before they are counted as skipped instead. */
const queueCapacity = 1000;
/** How often a long-lived stream re-checks that its caller still has access. */
const recheckMs = 15_000;
const maxTopicLength = 1024;
export const maxPublishPayloadBytes = 256 * 1024;

export interface TailOptions {
  filter: string;
  maxPerSecond: number;
}

export class LiveService {
  private readonly nowMs: () => number;
  /** Open streams, ended by close() so shutdown does not wait for browser tabs to go away. */
  private readonly open = new Set<EventQueue<BusMessage>>();
  private closed = false;

  constructor(private readonly deps: LiveServiceDeps) {
    this.nowMs = deps.nowMs ?? (() => Date.now());
  }

  /**
   * Last values of an installation (all topics, or the given relative ones): a snapshot first, then
   * updates as values arrive. Access is checked here, before the stream is handed out.
   */
  live(p: Principal, installationId: number, topics: string[] | undefined, signal?: AbortSignal): AsyncGenerator<LiveEvent> {
    const inst = this.deps.policy.require(p, 'status/read', installationId);
    const wanted = topics?.length ? new Set(topics.map((t) => relative(inst.clientId, t))) : null;
    return this.liveStream(p, installationId, wanted, signal);
  }

  /** Raw messages on an installation's topics matching a relative MQTT filter, at most `maxPerSecond`. */
  tail(p: Principal, installationId: number, opts: TailOptions, signal?: AbortSignal): AsyncGenerator<TailEvent> {
    const inst = this.deps.policy.require(p, 'mqtt/subscribe', installationId);
    const filter = validFilter(relative(inst.clientId, opts.filter || '#'));
    return this.tailStream(p, installationId, filter, Math.max(1, opts.maxPerSecond), signal);
  }

  /** Publishes on `<client_id>/<topic>` as the caller would over MQTT; values land in storage as usual. */
  async publish(p: Principal, installationId: number, topic: string, payload: string, opts: { qos: 0 | 1; retain: boolean }): Promise<{ message: string; topic: string }> {
    const inst = this.deps.policy.require(p, 'mqtt/publish', installationId);
    const rel = validTopic(relative(inst.clientId, topic));
    if (Buffer.byteLength(payload) > maxPublishPayloadBytes) throw new BadRequestError(`payload must be at most ${maxPublishPayloadBytes} bytes`);
    const full = `${inst.clientId}/${rel}`;
    await this.deps.publish(full, payload, opts);
    return { message: `published on ${full}`, topic: full };
  }

  /** Ends every open stream and refuses new ones (server shutdown). */
  close(): void {
    this.closed = true;
    for (const queue of this.open) queue.end();
    this.open.clear();
  }

  private openQueue(signal?: AbortSignal): EventQueue<BusMessage> {
    const queue = new EventQueue<BusMessage>(queueCapacity, signal);
    if (this.closed) queue.end();
    else this.open.add(queue);
    return queue;
  }

  private async *liveStream(p: Principal, installationId: number, wanted: Set<string> | null, signal?: AbortSignal): AsyncGenerator<LiveEvent> {
    const queue = this.openQueue(signal);
    // Listening starts before the snapshot is read, so nothing arriving in between is missed.
    const stop = this.deps.feed.subscribe(installationId, (m) => {
      if (!wanted || wanted.has(m.topic)) queue.push(m);
    });
    try {
      const snapshot = await this.deps.data.status(p, installationId, wanted ? [...wanted] : undefined);
      const newest = new Map<string, number>();
      const values: LiveValue[] = snapshot.map((e) => ({ topic: e.topic, value: e.value, msg: e.msg, timestamp: e.timestamp }));
      for (const v of values) newest.set(v.topic, v.timestamp);
      yield { kind: 'snapshot', values };
      let checked = this.nowMs();
      for (;;) {
        const batch = await queue.takeAll();
        if (!batch) return;
        if (this.nowMs() - checked >= recheckMs) {
          p = await this.recheck(p, installationId, 'status/read');
          checked = this.nowMs();
        }
        // Several values of one topic in a batch: the viewer only needs the newest.
        const latest = new Map<string, LiveValue>();
        for (const m of batch.items) {
          if (m.topic.startsWith('evt/')) continue;
          const parsed = parseValuePayload(m.payload, this.deps.maxPayloadBytes);
          if (!parsed.ok) continue;
          const timestamp = normalizeTimestamp(parsed.timestamp, m.receivedAt);
          if (timestamp < (newest.get(m.topic) ?? -Infinity)) continue;
          newest.set(m.topic, timestamp);
          latest.set(m.topic, { topic: m.topic, value: parsed.value, msg: parsed.msg, timestamp });
        }
        if (latest.size) yield { kind: 'update', values: [...latest.values()] };
      }
    } finally {
      stop();
      queue.end();
      this.open.delete(queue);
    }
  }

  private async *tailStream(p: Principal, installationId: number, filter: string, maxPerSecond: number, signal?: AbortSignal): AsyncGenerator<TailEvent> {
    const queue = this.openQueue(signal);
    let windowStart = 0;
    let inWindow = 0;
    let skipped = 0;
    // The cap applies as messages arrive, so a flood costs a counter, not a queue of copies.
    const stop = this.deps.feed.subscribe(installationId, (m) => {
      if (!topicMatches(filter, m.topic)) return;
      const now = this.nowMs();
      if (now - windowStart >= 1000) {
        windowStart = now;
        inWindow = 0;
      }
      if (inWindow >= maxPerSecond) {
        skipped++;
        queue.poke();
        return;
      }
      inWindow++;
      queue.push(m);
    });
    try {
      let checked = this.nowMs();
      for (;;) {
        const batch = await queue.takeAll();
        if (!batch) return;
        if (this.nowMs() - checked >= recheckMs) {
          p = await this.recheck(p, installationId, 'mqtt/subscribe');
          checked = this.nowMs();
        }
        const dropped = skipped + batch.overflowed;
        skipped = 0;
        if (dropped) yield { kind: 'skipped', count: dropped };
        for (const m of batch.items) {
          yield {
            kind: 'message',
            message: {
              topic: m.topic,
              payload: m.payload.toString('utf8'),
              timestamp: m.receivedAt,
              qos: m.qos,
              retain: m.retain,
              publisher: m.publisher,
            },
          };
        }
      }
    } finally {
      stop();
      queue.end();
      this.open.delete(queue);
    }
  }

  private async recheck(p: Principal, installationId: number, family: string): Promise<Principal> {
    // Gateway credentials have no token row; their revocation disconnects them on MQTT instead.
    if (p.tokenId === 0) return p;
    const fresh = await this.deps.principalForTokenId(p.tokenId);
    if (!fresh) throw new UnauthorizedError('your session ended; sign in again');
    if (!this.deps.policy.can(fresh, family, installationId)) throw new ForbiddenError(`no longer allowed: missing permission ${family}`);
    return fresh;
  }
}

/** Accepts `obj/x` or `<client_id>/obj/x` (REST history answers prefixed topics). */
function relative(clientId: number, topic: string): string {
  const prefix = `${clientId}/`;
  return topic.startsWith(prefix) ? topic.slice(prefix.length) : topic;
}

function validTopic(topic: string): string {
  if (!topic) throw new BadRequestError('topic must not be empty');
  if (topic.length > maxTopicLength) throw new BadRequestError(`topic must be at most ${maxTopicLength} characters`);
  if (/[+#\u0000]/.test(topic)) throw new BadRequestError('topic must not contain +, # or NUL characters');
  if (topic.startsWith('/') || topic.endsWith('/')) throw new BadRequestError('topic must not start or end with /');
  return topic;
}

function validFilter(filter: string): string {
  if (filter.length > maxTopicLength) throw new BadRequestError(`filter must be at most ${maxTopicLength} characters`);
  if (filter.includes('\u0000')) throw new BadRequestError('filter must not contain NUL characters');
  const levels = filter.split('/');
  levels.forEach((level, i) => {
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) throw new BadRequestError('# must be a whole last level of the filter');
    if (level.includes('+') && level !== '+') throw new BadRequestError('+ must be a whole level of the filter');
  });
  return filter;
}

const millisecondThreshold = 100_000_000_000;

/** As storage does: a missing or zero timestamp is the receive time, milliseconds become seconds. */
function normalizeTimestamp(timestamp: number | undefined, receivedAt: number): number {
  if (timestamp === undefined || timestamp === 0) return receivedAt;
  return timestamp > millisecondThreshold ? timestamp / 1000 : timestamp;
}
