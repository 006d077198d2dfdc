import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config/load-config.js';
import { clusterSettings, redactRedisUrl } from './cluster-config.js';

const pgUrl = 'postgresql://lynx@db:5432/lynx';

describe('cluster configuration', () => {
  it('is off by default and needs nothing then', () => {
    const { config } = loadConfig([], {}, '/srv');
    expect(config.cluster).toBeFalsy();
    expect(clusterSettings(config)).toBeNull();
  });

  it('takes --cluster as a flag and LYNX_CLUSTER as 1/true', () => {
    const env = { LYNX_DATABASE_URL: pgUrl, LYNX_REDIS_URL: 'redis://cache:6379/4' };
    expect(loadConfig(['--cluster'], env).config.cluster).toBe(true);
    expect(loadConfig([], { ...env, LYNX_CLUSTER: '1' }).config.cluster).toBe(true);
    expect(loadConfig([], { ...env, LYNX_CLUSTER: 'false' }).config.cluster).toBe(false);
    expect(() => loadConfig([], { ...env, LYNX_CLUSTER: 'maybe' })).toThrow(/cluster \(from LYNX_CLUSTER\) expected true or false/);
  });

  it('refuses cluster mode on SQLite or without Redis, naming the key', () => {
    expect(() => loadConfig(['--cluster'], { LYNX_REDIS_URL: 'redis://cache:6379' })).toThrow(ConfigError);
    expect(() => loadConfig(['--cluster'], { LYNX_REDIS_URL: 'redis://cache:6379' })).toThrow(/databaseUrl .*cluster mode needs a shared PostgreSQL database/);
    expect(() => loadConfig(['--cluster'], { LYNX_DATABASE_URL: pgUrl })).toThrow(/redisUrl .*cluster mode needs a Redis URL/);
    expect(() => loadConfig([], { LYNX_REDIS_URL: 'http://cache' })).toThrow(/redisUrl \(from LYNX_REDIS_URL\) expected redis:\/\//);
  });

  it('never echoes the Redis password', () => {
    expect(() => loadConfig([], { LYNX_REDIS_URL: 'mem://user:s3cret@cache' })).toThrow(/^(?!.*s3cret)/);
    expect(redactRedisUrl('redis://user:s3cret@cache:6379/2')).toBe('redis://user:***@cache:6379/2');
  });

  it('resolves node id, prefix and database', () => {
    const { config } = loadConfig(['--cluster', '--node-id', 'edge-a', '--redis-prefix', 'site1'], { LYNX_DATABASE_URL: pgUrl, LYNX_REDIS_URL: 'redis://cache:6379/4' });
    expect(clusterSettings(config)).toEqual({ nodeId: 'edge-a', redisUrl: 'redis://cache:6379/4', prefix: 'site1:', db: 4 });
    const defaults = clusterSettings(loadConfig(['--cluster', '--http-port', '8081'], { LYNX_DATABASE_URL: pgUrl, LYNX_REDIS_URL: 'redis://cache' }).config)!;
    expect(defaults.nodeId).toMatch(/-8081$/);
    expect(defaults.prefix).toBe('lynx:');
    expect(defaults.db).toBe(0);
  });
});
