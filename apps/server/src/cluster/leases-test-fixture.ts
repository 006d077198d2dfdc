// One "node" of the cluster-schedules test, run as its own process (through tsx) so the test can
// kill -9 it: the real ScheduleRunner with Redis leases on a shared AAM database. Minutes are
// shortened by a scaled clock handed to the runner (LEASES_NODE_MINUTE_MS real ms per minute,
// counted from LEASES_NODE_EPOCH_MS so every node sees the same minute). Writes one JSON line per
// event on stdout: {"ready"}, {"owned"}, {"published"}.
import { Redis } from 'ioredis';
import { openStore } from '../aam/store/open-store.js';
import { ScheduleRunner, type SchedulerClock } from '../processors/schedules/schedule-runner.js';
import { RedisLeases } from './leases.js';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const node = env('LEASES_NODE_ID');
const minuteMs = Number(env('LEASES_NODE_MINUTE_MS'));
const epoch = Number(env('LEASES_NODE_EPOCH_MS'));
const scale = 60_000 / minuteMs;

const clock: SchedulerClock = {
  now: () => epoch + (Date.now() - epoch) * scale,
  setTimeout: (fn, ms) => setTimeout(fn, ms / scale),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

const line = (event: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify({ node, at: Date.now(), ...event })}\n`);
const logger = {
  info() {},
  warn: (obj: object, msg: string) => line({ warn: msg, ...obj }),
  error: (obj: object, msg: string) => line({ error: msg, ...obj }),
};

const store = await openStore(env('LEASES_NODE_DATABASE_URL'));
const redis = new Redis(env('LEASES_NODE_REDIS_URL'), { enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: true, retryStrategy: () => 50 });
redis.on('error', () => {});
await redis.connect();
const leases = new RedisLeases({ redis, nodeId: node, keys: ['schedules'], ttlMs: Number(env('LEASES_NODE_TTL_MS')), prefix: env('LEASES_NODE_PREFIX'), logger, ownsConnection: true });
leases.onChange((key, owned) => line({ owned, key, token: leases.token(key) }));
const runner = new ScheduleRunner({
  db: store.db,
  clock,
  logger,
  ownership: leases,
  publish: async (topic, payload) => {
    line({ published: topic, payload: JSON.parse(payload) as unknown, token: leases.token('schedules') });
  },
});
await leases.start();
await runner.start();
line({ ready: true });

process.once('SIGTERM', () => {
  void (async () => {
    await runner.close();
    await leases.stop();
    await store.close();
    process.exit(0);
  })();
});
