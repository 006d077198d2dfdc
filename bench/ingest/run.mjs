// Ingest benchmark: publishers in separate processes send 60-byte payloads; the figure is messages
// per second *stored in the time series* (counted through the log API), for QoS 0 and QoS 1.
//   npm run bench:ingest [-- --publishers 4 --messages 50000]
import { fork, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const serverMain = resolve(here, '../../apps/server/dist/cli/main.js');
const { values } = parseArgs({ options: { publishers: { type: 'string', default: '4' }, messages: { type: 'string', default: '50000' }, window: { type: 'string', default: '64' } } });
const publishers = Number(values.publishers);
const perPublisher = Number(values.messages);

async function startServer(dataDir) {
  const child = spawn(process.execPath, [...(process.env.LYNX_BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.LYNX_BENCH_PROFILE] : []), serverMain], {
    env: { ...process.env, LYNX_HOST: '127.0.0.1', LYNX_HTTP_PORT: '0', LYNX_MQTT_PORT: '0', LYNX_DATA_DIR: dataDir, LYNX_LOG_LEVEL: 'warn', LYNX_ADMIN_PASSWORD: 'bench-password' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const m = await new Promise((res, rej) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const r = /^lynx-server ready http=(\S+) mqtt=(\S+)$/.exec(line);
      if (r) res(r);
    });
    child.once('exit', (code) => rej(new Error(`server exited ${code}`)));
  });
  return { child, http: m[1], mqtt: m[2] };
}

async function api(http, token, method, path, body) {
  const res = await fetch(http + path, { method, headers: token ? { 'X-API-Key': token } : { Authorization: `Basic ${Buffer.from('admin@lynx.local:bench-password').toString('base64')}` }, body: body && JSON.stringify(body) });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function storedCount(server, token, inst, topics) {
  const page = await api(server.http, token, 'POST', `/api/v3beta/log/${inst.id}?limit=1&from=0&to=2000000000`, topics);
  return page.total;
}

async function round(server, token, inst, qos) {
  const topics = Array.from({ length: publishers }, (_, i) => `obj/bench/qos${qos}/${i}`);
  const started = performance.now();
  const results = await Promise.all(
    topics.map(
      (topic) =>
        new Promise((res, rej) => {
          const child = fork(join(here, 'publisher.mjs'), [server.mqtt, token, `${inst.client_id}/${topic}`, String(perPublisher), String(qos), values.window]);
          let report;
          child.on('message', (m) => (report = m));
          child.on('exit', (code) => (code === 0 ? res(report) : rej(new Error(`publisher exited ${code}`))));
        }),
    ),
  );
  const sentSeconds = (performance.now() - started) / 1000;
  const expected = publishers * perPublisher;
  // Everything sent may still be draining into storage (QoS 0): wait until the count stops moving.
  let stored = 0;
  let stableSince = performance.now();
  for (;;) {
    const now = await storedCount(server, token, inst, topics);
    if (now !== stored) {
      stored = now;
      stableSince = performance.now();
    }
    if (stored >= expected || performance.now() - stableSince > 2000) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const storedSeconds = (performance.now() - started) / 1000 - (stored >= expected ? 0 : 2);
  return { qos, sent: results.reduce((a, r) => a + r.sent, 0), stored, sentSeconds, storedSeconds };
}

const dataDir = await mkdtemp(join(tmpdir(), 'lynx-bench-'));
const server = await startServer(dataDir);
try {
  const { token } = await api(server.http, null, 'POST', '/api/v2/auth');
  const inst = await api(server.http, token, 'POST', '/api/v2/installation', { name: 'bench' });
  console.log(`ingest bench: ${publishers} publisher processes x ${perPublisher} messages of 60 bytes, Node ${process.version}`);
  for (const qos of [0, 1]) {
    const r = await round(server, token, inst, qos);
    console.log(
      `QoS ${qos}: sent ${r.sent}, stored ${r.stored} (${((r.stored / r.sent) * 100).toFixed(1)}%), ` +
        `${Math.round(r.stored / r.storedSeconds)} stored msg/s (publish phase ${r.sentSeconds.toFixed(2)} s, stored after ${r.storedSeconds.toFixed(2)} s)`,
    );
  }
} finally {
  server.child.kill('SIGTERM');
  await new Promise((r) => server.child.once('exit', r));
  await rm(dataDir, { recursive: true, force: true });
}
