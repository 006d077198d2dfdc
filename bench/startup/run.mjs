// Start-up bench: time from spawning the server to its ready line, and to `/api/v2/ping` answering,
// with 1,000,000 points and 10,000 functions stored. The data folder is seeded once (one function
// over REST and copies of it in SQLite, points straight into the time-series store through its
// module), then the server is started several times on it. `--bundle` also builds the server bundle
// (apps/server/scripts/bundle.mjs) into a temp folder and starts it alternately with dist on the same
// data; `--bundle-dir <dir>` uses a bundle already built. CPU time to ready comes from /proc (it varies
// far less than wall time on a shared machine).
//   node bench/startup/run.mjs [--quick] [--starts 5] [--points 1000000] [--functions 10000] [--profile <dir>] [--bundle | --bundle-dir <dir>]
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { api, benchInstallation, cpuSeconds, median, printTable, quick, removeDir, repoDir, requireBuiltServer, serverMain, startLynx, tempDir, writeResult } from '../lib/common.mjs';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    starts: { type: 'string', default: quick ? '3' : '5' },
    points: { type: 'string', default: quick ? '100000' : '1000000' },
    functions: { type: 'string', default: quick ? '1000' : '10000' },
    profile: { type: 'string' },
    bundle: { type: 'boolean' },
    'bundle-dir': { type: 'string' },
  },
});
const points = Number(values.points);
const functions = Number(values.functions);
const topics = 100;

/**
 * One function over REST (so the server's own write path made a real row), then the rest as copies
 * of its rows straight into SQLite in one transaction: 10,000 REST creates would take minutes here.
 */
async function seedFunctions(server, token, inst) {
  const fn = await api(server.http, token, 'POST', `/api/v2/functionx/${inst.id}?silent=true`, {
    type: 'temperature',
    installation_id: inst.id,
    meta: { name: 'sensor 0', topic_read: 'obj/building/sensor0/temperature' },
  });
  return fn.id;
}

function copyFunctions(dataDir, templateId) {
  const require = createRequire(join(repoDir, 'apps/server/package.json'));
  const Database = require('better-sqlite3');
  const db = new Database(join(dataDir, 'aam.db'));
  try {
    const fn = db.prepare('SELECT * FROM "Function" WHERE id = ?').get(templateId);
    const meta = db.prepare('SELECT * FROM "FunctionMeta" WHERE "functionId" = ?').all(templateId);
    const insertFn = db.prepare('INSERT INTO "Function" ("installationId", "type", "created", "updated") VALUES (?, ?, ?, ?)');
    const insertMeta = db.prepare('INSERT INTO "FunctionMeta" ("functionId", "key", "value", "protected") VALUES (?, ?, ?, ?)');
    db.transaction(() => {
      for (let i = 1; i < functions; i++) {
        const id = insertFn.run(fn.installationId, fn.type, fn.created, fn.updated).lastInsertRowid;
        for (const m of meta) {
          const value = m.key === 'name' ? `sensor ${i}` : m.key === 'topic_read' ? `obj/building/sensor${i % topics}/temperature` : m.value;
          insertMeta.run(id, m.key, value, m.protected);
        }
      }
    })();
    return db.prepare('SELECT count(*) AS n FROM "Function"').get().n;
  } finally {
    db.close();
  }
}

async function seedPoints(dataDir, inst) {
  const storeModule = join(repoDir, 'apps/server/dist/tsdb/level-store.js');
  if (!existsSync(storeModule)) throw new Error(`${storeModule} missing: build the server`);
  const { openLevelStore } = await import(pathToFileURL(storeModule).href);
  const store = await openLevelStore(join(dataDir, 'tsdb'));
  const perTopic = Math.ceil(points / topics);
  const chunk = 10_000;
  try {
    for (let t = 0; t < topics; t++) {
      for (let start = 0; start < perTopic; start += chunk) {
        const batch = [];
        for (let i = start; i < Math.min(perTopic, start + chunk); i++) {
          batch.push({ installationId: inst.id, topic: `obj/building/sensor${t}/temperature`, timestamp: 1_700_000_000 + i * 10, value: 20 + Math.sin(i / 100), msg: '' });
        }
        await store.append(batch);
      }
    }
  } finally {
    await store.close();
  }
}

/** The bundle to measure beside dist, built into `into` unless --bundle-dir names one; null without either flag. */
async function bundleEntry(into) {
  if (values['bundle-dir']) return join(values['bundle-dir'], 'server.mjs');
  if (!values.bundle) return null;
  const { buildBundle } = await import(pathToFileURL(join(repoDir, 'apps/server/scripts/bundle.mjs')).href);
  const { dir, ms } = await buildBundle({ out: join(into, 'bundle') });
  console.log(`built the bundle in ${(ms / 1000).toFixed(1)} s`);
  return join(dir, 'server.mjs');
}

/** Spawn to ready line, spawn to the first ping answered, and CPU time used until ready. */
async function timeStart(main) {
  const server = await startLynx({ dataDir, cpuProfDir: values.profile, main });
  const readyAt = performance.now();
  const cpuMs = cpuSeconds(server.pid) * 1000;
  const res = await fetch(`${server.http}/api/v2/ping`);
  if (!res.ok) throw new Error(`ping answered ${res.status}`);
  const pingMs = server.readyMs + (performance.now() - readyAt);
  await server.stop();
  return { readyMs: server.readyMs, pingMs, cpuMs };
}

requireBuiltServer();
const dataDir = await tempDir('startup');
const bundleDir = await tempDir('startup-bundle');
try {
  const seedStarted = performance.now();
  const first = await startLynx({ dataDir });
  let inst;
  let templateId;
  try {
    const made = await benchInstallation(first);
    inst = made.inst;
    templateId = await seedFunctions(first, made.token, inst);
  } finally {
    await first.stop();
  }
  const functionRows = copyFunctions(dataDir, templateId);
  if (functionRows !== functions) throw new Error(`seeded ${functionRows} functions, expected ${functions}`);
  await seedPoints(dataDir, inst);
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  console.log(`seeded ${functions.toLocaleString('en')} functions and ${points.toLocaleString('en')} points in ${seedSeconds.toFixed(1)} s`);

  const bundled = await bundleEntry(bundleDir);
  const entries = [{ name: 'dist', main: serverMain }, ...(bundled ? [{ name: 'bundle', main: bundled }] : [])];
  const runs = Object.fromEntries(entries.map((e) => [e.name, []]));
  // Alternating, so both see the same machine load.
  for (let i = 0; i < Number(values.starts); i++) for (const e of entries) runs[e.name].push(await timeStart(e.main));
  const rows = entries.map(({ name }) => {
    const times = runs[name].map((r) => r.readyMs);
    const pings = runs[name].map((r) => r.pingMs);
    return {
      entry: name,
      points,
      functions,
      starts: times.length,
      'min ms': Math.round(Math.min(...times)),
      'median ms': Math.round(median(times)),
      'max ms': Math.round(Math.max(...times)),
      'ping median ms': Math.round(median(pings)),
      'cpu median ms': Math.round(median(runs[name].map((r) => r.cpuMs))),
      target: '< 1500 ms',
      met: median(pings) < 1500 ? 'yes' : 'NO',
    };
  });
  printTable('Start-up: spawn to the ready line and to /api/v2/ping (dist = node apps/server/dist/cli/main.js, bundle = node <bundle>/server.mjs)', rows);
  const timesMs = runs.dist.map((r) => r.readyMs);
  await writeResult('startup', { points, functions, seedSeconds, timesMs, runs, table: rows });
} finally {
  await removeDir(dataDir);
  await removeDir(bundleDir);
}
