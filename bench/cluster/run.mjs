// Cluster bench: QoS 1 publishers spread over the nodes of a 3-node cluster (shared PostgreSQL time
// series, Redis emitter and broker state), messages per second stored (counted through the log API
// of another node), next to the same load on one node: a plain single server (LevelDB time series)
// and a 1-node cluster (what PostgreSQL storage alone costs). All on this machine, so the three nodes
// share its cores with PostgreSQL, Redis and the publishers: the figure shows the overhead of
// clustering here, not the scaling of separate machines.
//   node bench/cluster/run.mjs [--quick] [--publishers 6] [--redis redis://127.0.0.1:6379] [--postgres postgresql://postgres@127.0.0.1:5432/postgres]
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';
import { benchInstallation, cpuSeconds, printTable, quick, removeDir, requireBuiltServer, startLynx, storedCount, tempDir, waitForCount, writeResult } from '../lib/common.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    publishers: { type: 'string', default: '6' },
    window: { type: 'string', default: '64' },
    redis: { type: 'string', default: process.env.LYNX_TEST_REDIS_URL || 'redis://127.0.0.1:6379' },
    postgres: { type: 'string', default: process.env.LYNX_TEST_POSTGRES_URL || 'postgresql://postgres@127.0.0.1:5432/postgres' },
  },
});
const publishers = Number(values.publishers);
const total = quick ? 12_000 : 60_000;

function withPath(url, path) {
  const u = new URL(url);
  u.pathname = path;
  return u.toString();
}

/** A database and a Redis namespace of its own per cluster, removed afterwards. */
async function clusterEnv() {
  const run = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const dbName = `lynx_bench_${run}`;
  const admin = new pg.Client({ connectionString: values.postgres });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  await admin.end();
  const prefix = `lynx-bench-${run}:`;
  const redisUrl = withPath(values.redis, '/15');
  return {
    env: { LYNX_CLUSTER: '1', LYNX_DATABASE_URL: withPath(values.postgres, `/${dbName}`), LYNX_REDIS_URL: redisUrl, LYNX_REDIS_PREFIX: prefix },
    async drop() {
      const redis = new Redis(redisUrl);
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length) await redis.del(...keys);
      } while (cursor !== '0');
      redis.disconnect();
      const c = new pg.Client({ connectionString: values.postgres });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
      await c.end();
    },
  };
}

function publisher(url, token, topic, count) {
  const c = fork(join(here, '../ingest/publisher.mjs'), [url, token, topic, String(count), '1', values.window], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = new Promise((res, rej) => {
    c.on('message', (m) => m.type === 'ready' && res());
    c.once('exit', (code) => rej(new Error(`publisher exited ${code} before ready`)));
  });
  let report;
  c.on('message', (m) => m.type === 'done' && (report = m));
  const done = new Promise((res, rej) => c.once('exit', (code) => (code === 0 && report ? res(report) : rej(new Error(`publisher exited ${code}`)))));
  done.catch(() => undefined);
  return { c, ready, done };
}

/** Starts `nodes` servers (the first alone: it migrates), publishes over all of them, counts on the last. */
async function round(label, nodes, env) {
  const dirs = [];
  const servers = [];
  try {
    for (let i = 0; i < nodes; i++) {
      const dataDir = await tempDir('cluster');
      dirs.push(dataDir);
      const start = startLynx({ dataDir, env: env ? { ...env, LYNX_NODE_ID: `bench-${i + 1}` } : {} });
      // The first node applies the migrations and creates the admin; the others then start together.
      if (i === 0) servers.push(await start);
      else servers.push(start);
    }
    const started = await Promise.all(servers);
    const { token, inst } = await benchInstallation(started[0], label);
    const perPublisher = Math.ceil(total / publishers);
    const topics = Array.from({ length: publishers }, (_, i) => `obj/bench/${i}`);
    const pubs = topics.map((t, i) => publisher(started[i % nodes].mqtt, token, `${inst.client_id}/${t}`, perPublisher));
    await Promise.all(pubs.map((p) => p.ready));
    const cpu0 = started.reduce((a, s) => a + cpuSeconds(s.pid), 0);
    const t0 = performance.now();
    for (const p of pubs) p.c.send('go');
    const reports = await Promise.all(pubs.map((p) => p.done));
    const counter = started[started.length - 1];
    const [stored, ms] = await waitForCount(() => storedCount(counter, token, inst.id, topics), perPublisher * publishers, t0);
    const cpu = started.reduce((a, s) => a + cpuSeconds(s.pid), 0) - cpu0;
    const p99 = Math.max(...reports.map((r) => r.ack?.p99 ?? 0));
    return { label, nodes, publishers, stored, expected: perPublisher * publishers, msgPerSec: Math.round((stored / ms) * 1000), cpuUsPerMessage: Math.round((cpu * 1e6) / Math.max(1, stored)), ackP99Ms: p99 };
  } finally {
    await Promise.allSettled(servers.map(async (s) => (await s).stop()));
    for (const d of dirs) await removeDir(d);
  }
}

requireBuiltServer();
const rows = [];
rows.push(await round('single server (LevelDB)', 1, null));
for (const nodes of [1, 3]) {
  const env = await clusterEnv();
  try {
    rows.push(await round(`cluster of ${nodes} (PostgreSQL, Redis)`, nodes, env.env));
  } finally {
    await env.drop();
  }
}
printTable(`cluster ingest: ${total} QoS 1 messages from ${publishers} publishers, stored msg/s`, rows.map((r) => ({ setup: r.label, stored: `${r.stored}/${r.expected}`, 'msg/s': r.msgPerSec, 'cpu µs/msg (all nodes)': r.cpuUsPerMessage, 'PUBACK p99 ms': r.ackP99Ms })));
await writeResult('cluster', { total, publishers, rounds: rows });
