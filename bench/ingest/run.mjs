// Ingest bench: 1 and 10 publisher processes send 60-byte payloads at QoS 0 and QoS 1. For Lynx the
// figure is messages per second *stored in the time series* (counted through the log API); for the
// reference, Debian's mosquitto started here, it is messages per second relayed to a subscriber.
//   node bench/ingest/run.mjs [--quick] [--only lynx|mosquitto] [--profile <dir>] [--publishers 1,10]
import { fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchInstallation, cpuSeconds, printTable, quick, removeDir, requireBuiltServer, startLynx, startMosquitto, storedCount, tempDir, waitForCount, writeResult } from '../lib/common.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    only: { type: 'string' },
    profile: { type: 'string' },
    publishers: { type: 'string', default: '1,10' },
    qos: { type: 'string', default: '0,1' },
    window: { type: 'string', default: '64' },
  },
});
// Messages per round (split over the publishers); QoS 1 is slower, so fewer.
const totals = quick ? { 0: 40_000, 1: 20_000 } : { 0: 200_000, 1: 100_000 };
const publisherCounts = values.publishers.split(',').map(Number);
const qosLevels = values.qos.split(',').map(Number);

function child(script, args) {
  const c = fork(join(here, script), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = new Promise((res, rej) => {
    c.on('message', (m) => m.type === 'ready' && res());
    c.once('exit', (code) => rej(new Error(`${script} exited ${code} before ready`)));
  });
  // Settles at exit, so a finished round leaves no process still talking to the broker.
  let report;
  c.on('message', (m) => m.type === 'done' && (report = m));
  const done = new Promise((res, rej) => {
    c.once('exit', (code) => (code === 0 && report ? res(report) : rej(new Error(`${script} exited ${code}`))));
  });
  done.catch(() => undefined);
  return { c, ready, done };
}

/** Starts the publishers, waits until all are connected, then releases them at once. */
async function publish(url, token, topics, perPublisher, qos) {
  const pubs = topics.map((t) => child('publisher.mjs', [url, token ?? '', t, String(perPublisher), String(qos), values.window]));
  await Promise.all(pubs.map((p) => p.ready));
  const started = performance.now();
  for (const p of pubs) p.c.send('go');
  return { started, done: Promise.all(pubs.map((p) => p.done)) };
}

/** The slowest publisher's PUBACK latency percentile (QoS 1 only). */
function worstAck(reports, key) {
  const xs = reports.map((r) => r.ack?.[key]).filter((x) => x !== undefined);
  return xs.length ? Math.max(...xs) : null;
}

async function lynxRound(server, token, inst, publishers, qos) {
  const total = totals[qos];
  const perPublisher = Math.ceil(total / publishers);
  const topics = Array.from({ length: publishers }, (_, i) => `obj/bench/p${publishers}/qos${qos}/${i}`);
  const cpu0 = cpuSeconds(server.pid);
  const { started, done } = await publish(server.mqtt, token, topics.map((t) => `${inst.client_id}/${t}`), perPublisher, qos);
  const reports = await done;
  const sentMs = performance.now() - started;
  const expected = perPublisher * publishers;
  const [stored, storedMs] = await waitForCount(() => storedCount(server, token, inst.id, topics), expected, started);
  // Includes the count queries of the wait above, a small share next to the messages.
  const cpuUsPerMessage = ((cpuSeconds(server.pid) - cpu0) * 1e6) / Math.max(1, stored);
  return { sent: reports.reduce((a, r) => a + r.sent, 0), arrived: stored, sentMs, ms: storedMs, cpuUsPerMessage, ackP50Ms: worstAck(reports, 'p50'), ackP99Ms: worstAck(reports, 'p99') };
}

async function mosquittoRound(mosq, publishers, qos, roundNo) {
  const total = totals[qos];
  const perPublisher = Math.ceil(total / publishers);
  const expected = perPublisher * publishers;
  const prefix = `bench/r${roundNo}`;
  const sub = child('subscriber.mjs', [mosq.url, `${prefix}/#`, String(qos), String(expected)]);
  await sub.ready;
  const topics = Array.from({ length: publishers }, (_, i) => `${prefix}/obj/${i}`);
  const { started, done } = await publish(mosq.url, null, topics, perPublisher, qos);
  const startedEpoch = performance.timeOrigin + started;
  const reports = await done;
  const sentMs = performance.now() - started;
  // The subscriber reports by itself once everything arrived; a stall means messages were lost.
  const stall = setTimeout(() => sub.c.send('stop'), Math.max(5000, sentMs));
  const r = await sub.done;
  clearTimeout(stall);
  return { sent: reports.reduce((a, x) => a + x.sent, 0), arrived: r.received, sentMs, ms: r.lastAt - startedEpoch, ackP50Ms: worstAck(reports, 'p50'), ackP99Ms: worstAck(reports, 'p99') };
}

requireBuiltServer();
const rows = [];
const results = [];
let mosquittoVersion = null;

if (values.only !== 'lynx') {
  const mosq = await startMosquitto();
  if (mosq) {
    mosquittoVersion = mosq.version;
    try {
      let n = 0;
      for (const qos of qosLevels) for (const p of publisherCounts) {
        const r = await mosquittoRound(mosq, p, qos, n++);
        results.push({ broker: 'mosquitto', qos, publishers: p, ...r, rate: Math.round(r.arrived / (r.ms / 1000)) });
      }
    } finally {
      await mosq.stop();
    }
  }
}
if (values.only !== 'mosquitto') {
  const dataDir = await tempDir('ingest');
  const server = await startLynx({ dataDir, cpuProfDir: values.profile });
  try {
    const { token, inst } = await benchInstallation(server);
    for (const qos of qosLevels) for (const p of publisherCounts) {
      const r = await lynxRound(server, token, inst, p, qos);
      results.push({ broker: 'lynx', qos, publishers: p, ...r, rate: Math.round(r.arrived / (r.ms / 1000)) });
    }
  } finally {
    await server.stop();
    await removeDir(dataDir);
  }
}

const targets = { 0: 0.6, 1: 0.5 };
for (const qos of qosLevels) for (const p of publisherCounts) {
  const l = results.find((r) => r.broker === 'lynx' && r.qos === qos && r.publishers === p);
  const m = results.find((r) => r.broker === 'mosquitto' && r.qos === qos && r.publishers === p);
  const ratio = l && m ? l.rate / m.rate : null;
  rows.push({
    qos,
    publishers: p,
    messages: (l ?? m).sent,
    'lynx stored/s': l?.rate ?? '-',
    'lynx stored': l ? `${l.arrived}/${l.sent}` : '-',
    'lynx CPU us/msg': l ? Math.round(l.cpuUsPerMessage) : '-',
    'mosquitto relayed/s': m?.rate ?? '-',
    'mosquitto relayed': m ? `${m.arrived}/${m.sent}` : '-',
    'PUBACK p50 ms lynx/mosq': qos === 1 ? `${l?.ackP50Ms?.toFixed(1) ?? '-'}/${m?.ackP50Ms?.toFixed(1) ?? '-'}` : '-',
    ratio: ratio === null ? '-' : ratio.toFixed(2),
    target: `>= ${targets[qos]}`,
    met: ratio === null ? '-' : ratio >= targets[qos] ? 'yes' : 'NO',
  });
}
printTable(`Ingest: 60-byte payloads, Lynx stored in the time series vs mosquitto ${mosquittoVersion ?? '(not run)'} relayed to one subscriber`, rows);
await writeResult('ingest', { mosquittoVersion, totals, window: Number(values.window), results, table: rows });
