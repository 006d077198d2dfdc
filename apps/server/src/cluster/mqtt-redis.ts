// The MQTT broker's cluster parts: mqemitter-redis routes every message to every node, and
// aedes-persistence-redis shares sessions, offline QoS 1 queues, retained messages and wills, so a
// client may reconnect to any node. Both are CommonJS without usable types and bring their own
// ioredis 5; the connections are made here, from that same ioredis, so their errors are ours to log.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Logger } from 'pino';
import type { BrokerPersistence } from '../bus/persistence.js';
import type { ClusterSettings } from './cluster-config.js';
import { redisOptions } from './redis.js';

const require = createRequire(import.meta.url);

interface LibRedis {
  on(event: string, listener: (...args: unknown[]) => void): LibRedis;
  disconnect(): void;
  status: string;
}
type LibRedisCtor = new (opts: object) => LibRedis;

const persistenceFactory = require('aedes-persistence-redis') as (opts: object) => BrokerPersistence;
const { MQEmitterRedisPrefix } = require('mqemitter-redis') as { MQEmitterRedisPrefix: new (prefix: string, opts: object) => ClusterEmitter };
const PersistenceRedis = createRequire(require.resolve('aedes-persistence-redis'))('ioredis') as LibRedisCtor;
const EmitterRedis = createRequire(require.resolve('mqemitter-redis'))('ioredis') as LibRedisCtor;

export interface ClusterEmitter {
  state: NodeJS.EventEmitter;
  close(cb: () => void): void;
  /** MQEmitter's own close (local listeners), kept by mqemitter-redis under this name. */
  _close(cb: () => void): void;
  closed?: boolean;
  closing?: boolean;
}

export interface BrokerClusterParts {
  /**
   * aedes' broker id, `<node id>-<random>`: new for every run, because aedes numbers the packets it
   * queues per broker id from 0 at each start, and a restarted node reusing its id would overwrite
   * packets still queued for offline clients. It also lets the other nodes publish the wills a dead
   * run left behind.
   */
  id: string;
  mq: ClusterEmitter;
  persistence: BrokerPersistence;
}

export function openClusterBroker(settings: ClusterSettings, logger: Logger): BrokerClusterParts {
  const base = redisOptions(settings.redisUrl);
  // Several clusters (or test runs) may share a Redis: channels and keys carry the prefix.
  const connection = (Ctor: LibRedisCtor, role: string, extra: object = {}) => {
    // Commands wait for a reconnect once, then fail: while Redis is away the node takes no new
    // clients (readiness), and an offline queue would only hold up shutdown and the clients it has.
    const conn = new Ctor({ ...base, connectionName: `${settings.prefix}${settings.nodeId}:${role}`, maxRetriesPerRequest: 1, ...extra });
    let down = false;
    conn.on('error', (err) => {
      if (!down) logger.warn({ err: (err as Error).message, role }, 'redis connection of the mqtt broker failed; retrying');
      down = true;
    });
    conn.on('ready', () => {
      if (down) logger.info({ role }, 'redis connection of the mqtt broker is back');
      down = false;
    });
    return conn;
  };
  const sub = connection(EmitterRedis, 'mqtt-sub');
  const pub = connection(EmitterRedis, 'mqtt-pub');
  const mq = new MQEmitterRedisPrefix(`${settings.prefix}mqtt/`, { subConn: sub, pubConn: pub });
  // Errors are logged per connection above; unhandled here they would be thrown.
  mq.state.on('error', () => undefined);
  // The library's close() QUITs without handling a failure, and waits for a reconnect while Redis
  // is away: disconnecting is enough, nothing is left to send once the broker closes.
  mq.close = (cb) => {
    if (mq.closed || mq.closing) return cb();
    mq.closing = true;
    sub.disconnect();
    pub.disconnect();
    mq._close(cb);
  };
  ignoreRedisRejections(logger);
  const state = connection(PersistenceRedis, 'mqtt-state', { keyPrefix: `${settings.prefix}mqtt:` });
  const persistence = persistenceFactory({ conn: state });
  // destroy() unsubscribes through the emitter first. With Redis away, ioredis (5) queues that command
  // on a connection already told to disconnect and never answers: bounded, then cut.
  const destroy = persistence.destroy.bind(persistence);
  persistence.destroy = async () => {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([destroy(), new Promise((resolve) => (timer = setTimeout(resolve, 2000)))]);
    } finally {
      clearTimeout(timer);
      state.disconnect();
    }
  };
  return { id: `${settings.nodeId}-${randomBytes(4).toString('hex')}`, mq, persistence };
}

let ignoring = false;

/**
 * Both libraries send some commands without handling their failure (aedes-persistence-redis removes
 * stale queue entries fire and forget, for instance). While Redis is away those reject, and Node
 * would end the process on the unhandled rejection. Only Redis connection failures are let pass
 * (logged); any other unhandled rejection still ends the process as before.
 */
function ignoreRedisRejections(logger: Logger): void {
  if (ignoring) return;
  ignoring = true;
  process.on('unhandledRejection', (reason) => {
    if (isRedisConnectionError(reason)) {
      logger.debug({ err: (reason as Error).message }, 'redis command failed while the connection is down');
      return;
    }
    throw reason;
  });
}

function isRedisConnectionError(reason: unknown): boolean {
  if (!(reason instanceof Error)) return false;
  return (
    reason.name === 'MaxRetriesPerRequestError' ||
    /^Connection is closed\.?$|^Stream isn't writeable|^(write EPIPE|read ECONNRESET|connect ECONNREFUSED)/.test(reason.message)
  );
}
