// REST bench: autocannon against /api/v2/status of an installation with 1,000 topics, and against
// /api/v3beta/log pages of the same installation, and the same status bytes from bare node:http
// as the ceiling of this machine.
//   node bench/rest/run.mjs [--quick] [--profile <dir>] [--duration <s>] [--connections <n>]
import { fork } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import mqtt from 'mqtt';
import { benchInstallation, cpuSeconds, printTable, quick, removeDir, requireBuiltServer, startLynx, storedCount, tempDir, waitForCount, writeResult } from '../lib/common.mjs';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    profile: { type: 'string' },
    duration: { type: 'string', default: quick ? '3' : '10' },
    connections: { type: 'string', default: '10' },
  },
});
const topicCount = 1000;
const perTopic = quick ? 5 : 20;

/** 1,000 topics with `perTopic` values each, published over MQTT at QoS 1 so all of it is stored. */
async function seed(server, token, inst) {
  const client = await mqtt.connectAsync(server.mqtt, { username: 'bench', password: token, protocolVersion: 4 });
  const topics = Array.from({ length: topicCount }, (_, i) => `obj/building/floor${Math.floor(i / 100)}/room${i}/temperature`);
  let next = 0;
  const total = topicCount * perTopic;
  const worker = async () => {
    while (next < total) {
      const i = next++;
      const payload = JSON.stringify({ value: 20 + (i % 50) / 10, timestamp: 1_700_000_000 + i, msg: '' });
      await client.publishAsync(`${inst.client_id}/${topics[i % topicCount]}`, payload, { qos: 1 });
    }
  };
  await Promise.all(Array.from({ length: 64 }, worker));
  await client.endAsync();
  const [stored] = await waitForCount(() => storedCount(server, token, inst.id, []), total, performance.now());
  return stored;
}

function cannon(url, token) {
  return autocannon({
    url,
    connections: Number(values.connections),
    duration: Number(values.duration),
    headers: { 'X-API-Key': token },
  });
}

requireBuiltServer();
const dataDir = await tempDir('rest');
const server = await startLynx({ dataDir, cpuProfDir: values.profile });
const rows = [];
const results = [];
try {
  const { token, inst } = await benchInstallation(server);
  const stored = await seed(server, token, inst);
  // Sanity: the status really answers 1,000 topics before it is timed.
  const statusBody = Buffer.from(await (await fetch(`${server.http}/api/v2/status/${inst.id}`, { headers: { 'X-API-Key': token } })).arrayBuffer());
  const status = JSON.parse(statusBody.toString('utf8'));
  if (status.length !== topicCount) throw new Error(`status answered ${status.length} topics, expected ${topicCount}`);
  const cases = [
    { name: `status, ${topicCount} topics`, path: `/api/v2/status/${inst.id}`, target: 5000 },
    { name: 'log, newest page of 100', path: `/api/v3beta/log/${inst.id}?limit=100` },
    { name: 'log, page of 1,000 at offset half', path: `/api/v3beta/log/${inst.id}?limit=1000&offset=${Math.floor(stored / 2)}` },
    { name: 'log, one topic, page of 100', path: `/api/v3beta/log/${inst.id}?limit=100&topics=${inst.client_id}/obj/building/floor0/room7/temperature` },
  ];
  // What this machine can do at best for a body this size: the same bytes from bare node:http.
  const bodyFile = join(dataDir, 'status-body.json');
  await writeFile(bodyFile, statusBody);
  const reference = fork(new URL('./static-server.mjs', import.meta.url), [bodyFile], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const referencePort = await new Promise((res) => reference.once('message', (m) => res(m.port)));
  cases.push({ name: 'reference: same status bytes, bare node:http', path: '/', base: `http://127.0.0.1:${referencePort}`, pid: reference.pid });
  for (const c of cases) {
    const pid = c.pid ?? server.pid;
    const cpu0 = cpuSeconds(pid);
    const r = await cannon((c.base ?? server.http) + c.path, token);
    const cpuMsPerRequest = ((cpuSeconds(pid) - cpu0) * 1000) / Math.max(1, r.requests.total);
    const bad = r.non2xx + r.errors + r.timeouts;
    results.push({ name: c.name, path: c.path, target: c.target, requestsPerSecond: r.requests.average, requests: r.requests.total, serverCpuMsPerRequest: cpuMsPerRequest, latencyP50: r.latency.p50, latencyP99: r.latency.p99, bytesPerRequest: Math.round(r.throughput.total / Math.max(1, r.requests.total)), bad });
    rows.push({
      endpoint: c.name,
      'req/s': Math.round(r.requests.average),
      'p50 ms': r.latency.p50,
      'p99 ms': r.latency.p99,
      'server CPU ms/req': cpuMsPerRequest,
      'req/s per server core': Math.round(1000 / cpuMsPerRequest),
      'KB/resp': (r.throughput.total / Math.max(1, r.requests.total) / 1024).toFixed(1),
      errors: bad,
      target: c.target ? `>= ${c.target}` : '-',
      met: c.target ? (r.requests.average >= c.target && bad === 0 ? 'yes' : 'NO') : '-',
    });
  }
  reference.send('stop');
  printTable(`REST: autocannon, ${values.connections} connections, ${values.duration} s each; ${topicCount} topics, ${stored.toLocaleString('en')} points`, rows);
  await writeResult('rest', { topics: topicCount, points: stored, connections: Number(values.connections), durationSeconds: Number(values.duration), results, table: rows });
} finally {
  await server.stop();
  await removeDir(dataDir);
}
