// Connections bench: 20,000 idle MQTT clients (authenticated with an API token, keepalive 600 s)
// opened from several processes; the figure is the server's resident memory (VmRSS) with them
// connected. The server needs more open files than the usual 1,024: it is started through bash
// with `ulimit -n`, and if the hard limit is lower the bench says so and opens what fits.
//   node bench/connections/run.mjs [--quick] [--clients 20000] [--processes 4] [--profile <dir>] [--heap <dir>]
import { fork, execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchInstallation, printTable, quick, removeDir, requireBuiltServer, rssMb, startLynx, tempDir, writeResult } from '../lib/common.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    clients: { type: 'string', default: quick ? '2000' : '20000' },
    processes: { type: 'string', default: '4' },
    profile: { type: 'string' },
    heap: { type: 'string' },
  },
});
const wanted = Number(values.clients);
const processes = Number(values.processes);
const hardLimit = Number(execFileSync('bash', ['-c', 'ulimit -Hn']).toString().trim()) || Infinity;
// The server needs descriptors besides the clients: listeners, SQLite, LevelDB files, stdio.
const headroom = 200;
const clientsToOpen = Math.min(wanted, hardLimit - headroom);
const limitNote = clientsToOpen < wanted ? `open-file hard limit here is ${hardLimit} (ulimit -Hn), so ${clientsToOpen} clients were opened, not ${wanted}` : '';
if (limitNote) console.log(limitNote);

requireBuiltServer();
const dataDir = await tempDir('connections');
const server = await startLynx({ dataDir, ulimit: Math.max(65536, wanted + headroom), cpuProfDir: values.profile, nodeArgs: values.heap ? [`--heapsnapshot-signal=SIGUSR2`, `--diagnostic-dir=${values.heap}`] : [] });
const children = [];
try {
  const { token } = await benchInstallation(server);
  await new Promise((r) => setTimeout(r, 500));
  const rssIdle = rssMb(server.pid);
  const started = performance.now();
  const per = Math.ceil(clientsToOpen / processes);
  const reports = await Promise.all(
    Array.from({ length: processes }, (_, i) => {
      const n = Math.min(per, clientsToOpen - i * per);
      const c = fork(join(here, 'clients.mjs'), [server.mqtt, token, String(n), '50'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      children.push(c);
      return new Promise((res, rej) => {
        c.on('message', (m) => m.type === 'connected' && res(m));
        c.once('exit', (code) => rej(new Error(`client process exited ${code}`)));
      });
    }),
  );
  const connectSeconds = (performance.now() - started) / 1000;
  const connected = reports.reduce((a, r) => a + r.connected, 0);
  const failed = reports.reduce((a, r) => a + r.failed, 0);
  // Idle for a moment so what was allocated for the handshakes can be collected.
  await new Promise((r) => setTimeout(r, 3000));
  const rssConnected = rssMb(server.pid);
  if (values.heap) {
    // The snapshot is written by the server process itself; give it time before the clients go.
    process.kill(server.nodePid ?? server.pid, 'SIGUSR2');
    await new Promise((r) => setTimeout(r, 15_000));
  }
  const perClientKb = connected ? ((rssConnected - rssIdle) * 1024) / connected : NaN;
  const at20k = rssIdle + (perClientKb * 20_000) / 1024;
  const rows = [
    {
      clients: connected,
      failed,
      'connect s': connectSeconds,
      'RSS before MB': Math.round(rssIdle),
      'RSS connected MB': Math.round(rssConnected),
      'KB/client': perClientKb,
      'RSS at 20k MB (est.)': Math.round(at20k),
      target: '< 1024 MB at 20,000',
      met: connected >= 20_000 ? (rssConnected < 1024 ? 'yes' : 'NO') : at20k < 1024 ? 'yes (extrapolated)' : 'NO',
    },
  ];
  printTable(`Connections: idle MQTT clients from ${processes} processes; server resident memory${failed ? ` (first error: ${reports.find((r) => r.firstError)?.firstError})` : ''}`, rows);
  await writeResult('connections', { wanted, opened: clientsToOpen, connected, failed, limitNote, rssIdleMb: rssIdle, rssConnectedMb: rssConnected, perClientKb, estimatedRssAt20kMb: at20k, connectSeconds, table: rows });
} finally {
  for (const c of children) if (c.connected) c.send('stop');
  await server.stop();
  await removeDir(dataDir);
}
