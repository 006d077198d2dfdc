// Edge-app instances run on the node owning the `edge-apps` lease; status asked on any other node
// is read from here. The owner writes an instance's status when it changes, one hash per
// installation (`<prefix>edge-status:<installation id>`, field = instance id, value = JSON), and
// removes the field when the instance stops being its. Logs stay on the owner (500 lines a
// instance, too chatty to mirror).
import type { Redis } from 'ioredis';
import type { ClusterSettings } from './cluster-config.js';
import { connectRedis, createRedis } from './redis.js';

export interface BoardStatus {
  state: 'starting' | 'running' | 'crashed' | 'stopped';
  reason: string | null;
  restarts: number;
  started: number | null;
}

const states = new Set(['starting', 'running', 'crashed', 'stopped']);

export class RedisEdgeStatusBoard {
  private constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /** Its own fail-fast connection: a status read while Redis is away answers at once. */
  static async connect(settings: ClusterSettings, onError: (err: Error) => void): Promise<RedisEdgeStatusBoard> {
    const redis = createRedis(settings.redisUrl, { name: `${settings.prefix}${settings.nodeId}:edge-status`, failFast: true });
    redis.on('error', onError);
    try {
      await connectRedis(redis, settings.redisUrl);
    } catch (err) {
      redis.disconnect();
      throw err;
    }
    return new RedisEdgeStatusBoard(redis, settings.prefix);
  }

  private key(installationId: number): string {
    return `${this.prefix}edge-status:${installationId}`;
  }

  async write(installationId: number, instanceId: number, status: BoardStatus | null): Promise<void> {
    if (status) await this.redis.hset(this.key(installationId), String(instanceId), JSON.stringify(status));
    else await this.redis.hdel(this.key(installationId), String(instanceId));
  }

  /** Null when the owner has written nothing (yet) or what it wrote is not a status. */
  async read(installationId: number, instanceId: number): Promise<BoardStatus | null> {
    const raw = await this.redis.hget(this.key(installationId), String(instanceId));
    if (!raw) return null;
    try {
      const s = JSON.parse(raw) as Partial<BoardStatus>;
      if (!states.has(s.state as string) || typeof s.restarts !== 'number') return null;
      return { state: s.state!, reason: typeof s.reason === 'string' ? s.reason : null, restarts: s.restarts, started: typeof s.started === 'number' ? s.started : null };
    } catch {
      return null;
    }
  }

  close(): void {
    this.redis.disconnect();
  }
}
