// What a node needs to take part in a cluster, resolved from the validated server configuration.
// The schema (config/schema.ts) already refused cluster mode without PostgreSQL or Redis.
import { hostname } from 'node:os';
import type { ServerConfig } from '../config/schema.js';

export interface ClusterSettings {
  nodeId: string;
  redisUrl: string;
  /** Prefix of every Redis channel and key this cluster uses; ends with `:`. */
  prefix: string;
  /** Redis database number from the URL path (0 when absent). */
  db: number;
}

export const defaultRedisPrefix = 'lynx:';

/** Null outside cluster mode. */
export function clusterSettings(config: ServerConfig): ClusterSettings | null {
  if (!config.cluster) return null;
  if (!config.redisUrl) throw new Error('cluster mode needs redisUrl'); // the schema refuses this first
  let prefix = config.redisPrefix ?? defaultRedisPrefix;
  if (!prefix.endsWith(':')) prefix += ':';
  return {
    // Port 0 means "any port", which would give every node on one host the same id: the pid differs.
    nodeId: config.nodeId ?? `${hostname()}-${config.httpPort || process.pid}`,
    redisUrl: config.redisUrl,
    prefix,
    db: redisDb(config.redisUrl),
  };
}

export function redisDb(url: string): number {
  const path = new URL(url).pathname.replace(/^\//, '');
  const db = path === '' ? 0 : Number(path);
  return Number.isInteger(db) && db >= 0 ? db : 0;
}

/** The URL without its password, for log lines and error messages. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'redis://(unparsable URL)';
  }
}
