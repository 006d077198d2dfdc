// What every bench part needs: the built server started for real on ephemeral ports in a temp
// folder, a REST helper, a reference mosquitto, tables on stdout and JSON under bench/results/.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const benchDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const repoDir = resolve(benchDir, '..');
export const serverMain = join(repoDir, 'apps/server/dist/cli/main.js');
export const adminPassword = 'bench-password';
export const quick = process.argv.includes('--quick');

export function requireBuiltServer() {
  if (!existsSync(serverMain)) {
    console.error(`${serverMain} is missing: build first (npm run bench does)`);
    process.exit(2);
  }
}

export function tempDir(prefix) {
  return mkdtemp(join(tmpdir(), `lynx-bench-${prefix}-`));
}

export async function removeDir(dir) {
  await rm(dir, { recursive: true, force: true });
}

/**
 * Starts `node apps/server/dist/cli/main.js` and resolves at its ready line. `ulimit` raises the
 * open-file limit (through bash) for the connections bench; `cpuProfDir` writes a V8 profile;
 * `main` starts another entry with the same CLI (the server bundle's server.mjs).
 */
export async function startLynx({ dataDir, ulimit, cpuProfDir, nodeArgs: extraNodeArgs = [], env = {}, main = serverMain } = {}) {
  const nodeArgs = [...(cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfDir] : []), ...extraNodeArgs, main];
  const started = performance.now();
  const child = ulimit
    ? spawn('bash', ['-c', `ulimit -n ${ulimit} 2>/dev/null || ulimit -n $(ulimit -Hn); exec "$0" "$@"`, process.execPath, ...nodeArgs], spawnOpts(dataDir, env))
    : spawn(process.execPath, nodeArgs, spawnOpts(dataDir, env));
  const stderr = [];
  child.stderr.on('data', (d) => {
    stderr.push(d);
    if (stderr.length > 50) stderr.shift();
  });
  const m = await new Promise((res, rej) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const r = /^lynx-server ready http=(\S+) mqtt=(\S+)$/.exec(line);
      if (r) res(r);
    });
    child.once('exit', (code) => rej(new Error(`server exited ${code}: ${Buffer.concat(stderr).toString().slice(-2000)}`)));
  });
  const readyMs = performance.now() - started;
  return {
    child,
    pid: child.pid,
    http: m[1],
    mqtt: m[2],
    readyMs,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function spawnOpts(dataDir, env) {
  return {
    env: {
      ...process.env,
      LYNX_HOST: '127.0.0.1',
      LYNX_HTTP_PORT: '0',
      LYNX_MQTT_PORT: '0',
      LYNX_DATA_DIR: dataDir,
      LYNX_LOG_LEVEL: 'warn',
      LYNX_ADMIN_PASSWORD: adminPassword,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  };
}

export async function api(http, token, method, path, body) {
  const headers = token ? { 'X-API-Key': token } : { Authorization: `Basic ${Buffer.from(`admin@lynx.local:${adminPassword}`).toString('base64')}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(http + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** An admin API token and a fresh installation to publish into. */
export async function benchInstallation(server, name = 'bench') {
  const { token } = await api(server.http, null, 'POST', '/api/v2/auth');
  const inst = await api(server.http, token, 'POST', '/api/v2/installation', { name });
  return { token, inst };
}

/** Stored points on these topics (prefixed), through the log API: what "stored" means in the benches. */
export async function storedCount(server, token, instId, topics) {
  const page = await api(server.http, token, 'POST', `/api/v3beta/log/${instId}?limit=1&from=0&to=9000000000`, topics);
  return page.total;
}

/** Polls `count()` until it reaches `expected` or stops moving for `stallMs`; returns [count, ms when last moved]. */
export async function waitForCount(count, expected, started, stallMs = 3000) {
  let seen = -1;
  let movedAt = performance.now();
  for (;;) {
    const now = await count();
    if (now !== seen) {
      seen = now;
      movedAt = performance.now();
    }
    if (seen >= expected || performance.now() - movedAt > stallMs) return [seen, movedAt - started];
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function rssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

export function freePort() {
  return new Promise((res, rej) => {
    const srv = net.createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

const mosquittoPaths = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto'];

/**
 * Debian's mosquitto on a free loopback port with a generated config, as the reference broker.
 * Unlimited queues so a slow subscriber is measured as slow, not as dropped messages.
 * Resolves null (after saying how to install it) when mosquitto is not there.
 */
export async function startMosquitto() {
  const bin = mosquittoPaths.find((p) => existsSync(p));
  if (!bin) {
    console.log('mosquitto not found: sudo apt-get install -y mosquitto');
    return null;
  }
  const dir = await tempDir('mosquitto');
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  // Running as root mosquitto drops to user `mosquitto` unless told otherwise; the temp folder is ours.
  const asRoot = process.getuid?.() === 0;
  await writeFile(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence false',
      ...(asRoot ? ['user root'] : []),
      'max_queued_messages 0',
      'max_queued_bytes 0',
      'max_inflight_messages 0',
      'log_dest none',
      `pid_file ${join(dir, 'mosquitto.pid')}`,
      '',
    ].join('\n'),
  );
  const child = spawn(bin, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  // mosquitto prints nothing useful when ready: poll the port.
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`mosquitto exited ${child.exitCode}: ${err}`);
    const ok = await new Promise((res) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), res(true)));
      s.once('error', () => res(false));
    });
    if (ok) break;
    if (i > 100) throw new Error(`mosquitto did not listen on ${port}: ${err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const version = await new Promise((res) => {
    const v = spawn(bin, ['-h'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    v.stdout.on('data', (d) => (out += d));
    v.once('exit', () => res(/mosquitto version (\S+)/.exec(out)?.[1] ?? 'unknown'));
  });
  return {
    url: `mqtt://127.0.0.1:${port}`,
    pid: child.pid,
    version,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await removeDir(dir);
    },
  };
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Prints rows (objects) as an aligned table under a title. */
export function printTable(title, rows) {
  console.log(`\n${title}`);
  if (rows.length === 0) return;
  const cols = Object.keys(rows[0]);
  const cell = (v) => (typeof v === 'number' ? (Number.isInteger(v) ? v.toLocaleString('en') : v.toFixed(2)) : String(v ?? ''));
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals) => vals.map((v, i) => (typeof v === 'number' ? cell(v).padStart(widths[i]) : cell(v).padEnd(widths[i]))).join('  ');
  console.log(line(cols));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(cols.map((c) => r[c])));
}

export async function writeResult(part, data) {
  // LYNX_BENCH_RESULTS sends trial runs elsewhere, so they do not replace the committed figures.
  const dir = process.env.LYNX_BENCH_RESULTS ?? join(benchDir, 'results');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${part}.json`);
  const os = await import('node:os');
  // The load average says how much else ran: on a shared machine the rates move with it.
  const machine = { node: process.version, cpus: os.cpus().length, loadavg: os.loadavg().map((l) => Math.round(l * 100) / 100), quick, at: new Date().toISOString() };
  await writeFile(file, `${JSON.stringify({ part, machine, ...data }, null, 2)}\n`);
  console.log(`wrote ${file}`);
}

/**
 * CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. On a machine
 * shared with other work, CPU per request or per message is steadier than wall-clock rates.
 */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the full line, in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}
