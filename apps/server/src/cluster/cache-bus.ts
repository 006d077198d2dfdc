// Keeps the in-memory AAM state of every node in step (Redis pub/sub). Each node holds copies of
// what access decisions read: the installation index, the organization tree and cached principals
// (auth's PrincipalCache, fed by the AccessEventHub). A change made through one node's services is
// applied there and then published; the other nodes apply the same change and re-emit the access
// event locally, so their caches drop it and their MQTT sessions are revoked or refreshed.
// Remote changes are applied with publishing switched off: nothing is ever echoed back.
// Pub/sub delivers at most once: a node that was cut off from Redis reloads everything from the
// database when it is back and tells the others to do the same (they may have missed its messages).
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AccessEvent } from '../aam/access.js';
import type { AccessEventHub } from '../aam/access-events.js';
import type { IndexedInstallation, InstallationIndex } from '../aam/installation-index.js';
import type { OrganizationTree } from '../aam/organization-tree.js';
import type { CacheFlush } from '../aam/services/principal-cache.js';
import type { ClusterSettings } from './cluster-config.js';
import { connectRedis, createRedis } from './redis.js';

export interface CacheBusDeps {
  hub: AccessEventHub;
  principals: { invalidate(event: AccessEvent | CacheFlush): void };
  index: InstallationIndex;
  organizations: OrganizationTree;
  /** Current rows from the database, for a full resynchronisation. */
  load(): Promise<{ installations: IndexedInstallation[]; organizations: { id: number; parentId: number | null }[] }>;
}

type WireInstallation = Omit<IndexedInstallation, 'userIds'> & { userIds: number[] };

/** What travels on the channel; `origin` is this process, so its own messages are skipped. */
interface Envelope {
  origin: string;
  node: string;
  topic: string;
  body: unknown;
}

type Handler = (body: unknown, fromNode: string) => void;

export class ClusterCacheBus {
  private readonly origin = randomUUID();
  private readonly channel: string;
  private readonly handlers = new Map<string, Set<Handler>>();
  private applyingRemote = false;
  private lostRedis = false;
  private closed = false;
  private readonly undo: (() => void)[] = [];
  private deps!: CacheBusDeps;

  private constructor(
    private readonly settings: ClusterSettings,
    private readonly logger: Logger,
    private readonly pub: Redis,
    private readonly sub: Redis,
  ) {
    this.channel = `${settings.prefix}aam`;
  }

  /**
   * Connects both Redis connections; throws RedisUnavailableError when Redis does not answer.
   * Called first at start-up, so a node without its Redis stops before it touches anything else.
   */
  static async connect(settings: ClusterSettings, logger: Logger): Promise<ClusterCacheBus> {
    const pub = createRedis(settings.redisUrl, { name: `${settings.prefix}${settings.nodeId}:aam-pub`, failFast: true });
    const sub = createRedis(settings.redisUrl, { name: `${settings.prefix}${settings.nodeId}:aam-sub` });
    try {
      await connectRedis(pub, settings.redisUrl);
      await connectRedis(sub, settings.redisUrl);
    } catch (err) {
      pub.disconnect();
      sub.disconnect();
      throw err;
    }
    return new ClusterCacheBus(settings, logger, pub, sub);
  }

  /** Starts applying remote changes to, and publishing local changes of, this node's AAM state. */
  async attach(deps: CacheBusDeps): Promise<void> {
    this.deps = deps;
    await this.listen();
    this.mirrorLocalChanges();
  }

  /** For other cluster parts (leases, last values): `body` must be JSON. Fire and forget. */
  publish(topic: string, body: unknown): void {
    if (this.closed || this.applyingRemote) return;
    const message: Envelope = { origin: this.origin, node: this.settings.nodeId, topic, body };
    this.pub.publish(this.channel, JSON.stringify(message)).catch((err: Error) => {
      // Peers catch up through the resync this node sends once Redis is back.
      this.logger.debug({ err: err.message, topic }, 'cluster message not sent');
    });
  }

  /** Messages of `topic` published by other nodes. */
  subscribe(topic: string, handler: Handler): () => void {
    let set = this.handlers.get(topic);
    if (!set) this.handlers.set(topic, (set = new Set()));
    set.add(handler);
    return () => set.delete(handler);
  }

  /** A PING on the publishing connection (fails at once while disconnected). */
  async ping(): Promise<void> {
    await this.pub.ping();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const undo of this.undo.reverse()) undo();
    // Not QUIT: that waits for a reconnect while Redis is away; nothing is left to send anyway.
    this.pub.disconnect();
    this.sub.disconnect();
  }

  private async listen(): Promise<void> {
    const { logger } = this;
    this.sub.on('message', (channel: string, text: string) => {
      if (channel !== this.channel) return;
      let message: Envelope;
      try {
        message = JSON.parse(text) as Envelope;
      } catch {
        logger.warn({ channel }, 'ignoring an unreadable cluster message');
        return;
      }
      if (message.origin === this.origin) return;
      this.deliver(message);
    });
    // ioredis subscribes again by itself after a reconnect; what was sent meanwhile is lost.
    for (const conn of [this.sub, this.pub]) {
      conn.on('error', () => undefined);
      conn.on('close', () => {
        if (!this.closed && !this.lostRedis) logger.warn('lost the cluster\'s Redis; access changes made elsewhere are caught up when it is back');
        if (!this.closed) this.lostRedis = true;
      });
      conn.on('ready', () => {
        if (!this.lostRedis || this.closed || this.sub.status !== 'ready' || this.pub.status !== 'ready') return;
        this.lostRedis = false;
        logger.info('the cluster\'s Redis is back: resynchronising access caches');
        this.publish('resync', null);
        void this.resync();
      });
    }
    await this.sub.subscribe(this.channel);

    this.subscribe('access', (body) => this.applyRemote(() => this.deps.hub.emit(body as AccessEvent)));
    this.subscribe('index', (body) => {
      const change = body as { op: 'upsert'; row: WireInstallation } | { op: 'remove'; id: number };
      this.applyRemote(() => {
        if (change.op === 'upsert') this.deps.index.upsert({ ...change.row, userIds: new Set(change.row.userIds) });
        else this.deps.index.remove(change.id);
      });
    });
    this.subscribe('organization', (body) => {
      const change = body as { op: 'upsert'; id: number; parentId: number | null } | { op: 'remove'; id: number };
      this.applyRemote(() => {
        if (change.op === 'upsert') this.deps.organizations.upsert(change.id, change.parentId);
        else this.deps.organizations.remove(change.id);
      });
    });
    this.subscribe('resync', () => void this.resync());
  }

  private deliver(message: Envelope): void {
    for (const handler of this.handlers.get(message.topic) ?? []) {
      try {
        handler(message.body, message.node);
      } catch (err) {
        this.logger.error({ err, topic: message.topic, from: message.node }, 'applying a cluster message failed');
      }
    }
  }

  /** Runs `apply` (synchronous) with publishing off, so remote changes are not sent back out. */
  private applyRemote(apply: () => void): void {
    this.applyingRemote = true;
    try {
      apply();
    } finally {
      this.applyingRemote = false;
    }
  }

  /**
   * The services change the index and the tree directly (see InstallationsService.committed):
   * each local change is wrapped here to be published after it was applied.
   */
  private mirrorLocalChanges(): void {
    const { hub, index, organizations } = this.deps;
    this.undo.push(hub.on((event) => this.publish('access', event)));
    const indexUpsert = index.upsert.bind(index);
    const indexRemove = index.remove.bind(index);
    index.upsert = (row) => {
      indexUpsert(row);
      this.publish('index', { op: 'upsert', row: { ...row, userIds: [...row.userIds] } });
    };
    index.remove = (id) => {
      indexRemove(id);
      this.publish('index', { op: 'remove', id });
    };
    const treeUpsert = organizations.upsert.bind(organizations);
    const treeRemove = organizations.remove.bind(organizations);
    organizations.upsert = (id, parentId) => {
      treeUpsert(id, parentId);
      this.publish('organization', { op: 'upsert', id, parentId });
    };
    organizations.remove = (id) => {
      treeRemove(id);
      this.publish('organization', { op: 'remove', id });
    };
    this.undo.push(() => {
      index.upsert = indexUpsert;
      index.remove = indexRemove;
      organizations.upsert = treeUpsert;
      organizations.remove = treeRemove;
    });
  }

  private resyncing: Promise<void> | undefined;
  private resyncAgain = false;

  /** Reloads index and tree from the database and drops every cached access decision. */
  private resync(): Promise<void> {
    if (this.resyncing) {
      this.resyncAgain = true;
      return this.resyncing;
    }
    this.resyncing = (async () => {
      do {
        this.resyncAgain = false;
        try {
          const { installations, organizations } = await this.deps.load();
          this.applyRemote(() => {
            const { index, organizations: tree } = this.deps;
            const liveInstallations = new Set(installations.map((r) => r.id));
            for (const row of [...index.all()]) if (!liveInstallations.has(row.id)) index.remove(row.id);
            for (const row of installations) index.upsert(row);
            const liveOrganizations = new Set(organizations.map((r) => r.id));
            for (const id of tree.subtree(tree.roots())) if (!liveOrganizations.has(id)) tree.remove(id);
            for (const row of organizations) tree.upsert(row.id, row.parentId);
            this.deps.principals.invalidate({ type: 'all' });
            // MQTT sessions re-check their principals: revoked tokens are dropped, scopes refreshed.
            this.deps.hub.emit({ type: 'access-changed', userId: null });
          });
        } catch (err) {
          this.logger.error({ err }, 'resynchronising access caches from the database failed');
        }
      } while (this.resyncAgain && !this.closed);
    })().finally(() => (this.resyncing = undefined));
    return this.resyncing;
  }
}
