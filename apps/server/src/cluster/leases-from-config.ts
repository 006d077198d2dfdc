// The work ownership a server uses: everything on a single server, Redis leases in cluster mode.
import type { ServerConfig } from '../config/schema.js';
import { clusterSettings } from './cluster-config.js';
import { RedisLeases, singleNodeOwnership, workKinds, type WorkOwnership } from './leases.js';

export interface LeaseLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

/** Not started yet: the server starts it before the processors that ask it, and stops it after them. */
export async function createWorkOwnership(config: ServerConfig, logger: LeaseLogger): Promise<WorkOwnership> {
  const cluster = clusterSettings(config);
  if (!cluster) return singleNodeOwnership();
  // A connection of its own that fails commands at once while Redis is away: a renewal must not
  // wait in an offline queue while the lease runs out.
  const { connectRedis, createRedis } = await import('./redis.js');
  const redis = createRedis(cluster.redisUrl, { name: `${cluster.nodeId}:leases`, failFast: true });
  // Reconnection errors are reported by the renewals that fail; this only keeps ioredis quiet.
  redis.on('error', (err: Error) => logger.debug({ err }, 'lease connection error'));
  await connectRedis(redis, cluster.redisUrl);
  return new RedisLeases({ redis, nodeId: cluster.nodeId, keys: workKinds, prefix: cluster.prefix, logger, ownsConnection: true });
}
