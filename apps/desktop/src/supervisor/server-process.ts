// One run of the server bundle as a child process: `node <bundle>/server.mjs` with flags from the
// settings, its output into the rotating log, and readiness = the ready line, then `/api/v2/ping`
// answering and the MQTT port accepting a connection (the line alone could precede a hung listener).
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { requestShutdown } from './control-client.js';
import { exitOf, gracefulStop, type ExitInfo, type StopResult } from './graceful-stop.js';
import type { RotatingLog } from './log-files.js';
import type { DesktopSettings } from './types.js';

export interface SpawnOptions {
  bundleDir: string;
  entry: string;
  settings: DesktopSettings;
  /** Only for the very first start: the server creates the admin user with it. Never written anywhere. */
  adminPassword?: string;
  /** The Node executable; in Electron, the app itself run with ELECTRON_RUN_AS_NODE. */
  nodePath: string;
  extraEnv?: Record<string, string>;
  log: RotatingLog;
  /** How many of the newest output lines to keep for a failure report. */
  keepLines: number;
}

export interface Endpoints {
  httpUrl: string;
  mqttUrl: string;
}

/** The server did not become healthy; `reason` is a sentence for the status page. */
export class StartFailure extends Error {
  constructor(
    readonly reason: string,
    readonly exitCode: number | null,
    readonly lastLines: string[],
    /** Retrying cannot help (invalid configuration). */
    readonly permanent: boolean,
  ) {
    super(reason);
  }
}

const readyLine = /^lynx-server ready http=(http:\/\/\S+) mqtt=(mqtt:\/\/\S+)$/;

/** Settings as the server's flags and environment; inherited LYNX_* variables are dropped so only the settings count. */
export function serverCommand(opts: Pick<SpawnOptions, 'bundleDir' | 'entry' | 'settings' | 'adminPassword' | 'extraEnv'>): { args: string[]; env: NodeJS.ProcessEnv } {
  const { settings } = opts;
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('LYNX_')) env[k] = v;
  env.ELECTRON_RUN_AS_NODE = '1';
  // The URL goes through the environment, not argv, where other users could read its password.
  if (settings.database.kind === 'postgres') env.LYNX_DATABASE_URL = settings.database.url;
  if (opts.adminPassword) env.LYNX_ADMIN_PASSWORD = opts.adminPassword;
  Object.assign(env, opts.extraEnv);
  const args = [
    join(opts.bundleDir, opts.entry),
    '--data-dir', settings.dataDir,
    '--host', settings.host,
    '--http-port', String(settings.httpPort),
    '--mqtt-port', String(settings.mqttPort),
    '--admin-email', settings.adminEmail,
  ];
  return { args, env };
}

/** A wildcard listen address is not something to connect to: use loopback for it. */
function reachable(url: string): string {
  return url.replace(/\/\/(0\.0\.0\.0|\[::\])(?=:)/, '//127.0.0.1');
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function pingOk(httpUrl: string): Promise<boolean> {
  try {
    const res = await fetch(`${httpUrl}/api/v2/ping`, { signal: AbortSignal.timeout(2000) });
    const body = (await res.json()) as { message?: string };
    return res.ok && body.message === 'pong';
  } catch {
    return false;
  }
}

function tcpOk(mqttUrl: string): Promise<boolean> {
  const { hostname, port } = new URL(mqttUrl);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export class ServerProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<ExitInfo>;
  private readonly lines: string[] = [];
  private readonly stderrLines: string[] = [];
  private readonly readyUrls: Promise<Endpoints | null>;

  constructor(private readonly opts: SpawnOptions) {
    const { args, env } = serverCommand(opts);
    this.child = spawn(opts.nodePath, args, { env, cwd: opts.settings.dataDir, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    this.exited = exitOf(this.child);
    let resolveReady!: (e: Endpoints | null) => void;
    this.readyUrls = new Promise((r) => (resolveReady = r));
    // A spawn error (missing executable) comes as an 'error' event; exitOf still resolves through 'exit'
    // on most platforms, but not for ENOENT, so end the wait here too.
    this.child.once('error', (err) => {
      this.remember(`lynx-server: cannot run ${opts.nodePath}: ${err.message}`, true);
      resolveReady(null);
    });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      this.remember(line, false);
      const m = readyLine.exec(line);
      if (m) resolveReady({ httpUrl: reachable(m[1]), mqttUrl: reachable(m[2]) });
    });
    createInterface({ input: this.child.stderr! }).on('line', (line) => this.remember(line, true));
    void this.exited.then(() => resolveReady(null));
  }

  get pid(): number | null {
    return this.child.pid ?? null;
  }

  lastLines(): string[] {
    return [...this.lines];
  }

  /** Resolves once healthy; rejects with a StartFailure (the child is stopped first if still alive). */
  async waitHealthy(timeoutMs: number, signal?: AbortSignal): Promise<Endpoints> {
    const deadline = Date.now() + timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
    const aborted = new Promise<'aborted'>((r) => {
      if (signal?.aborted) r('aborted');
      signal?.addEventListener('abort', () => r('aborted'), { once: true });
    });
    try {
      const urls = await Promise.race([this.readyUrls, timeout, aborted]);
      if (urls === 'aborted') return await this.fail('the start was cancelled');
      if (urls === 'timeout') return await this.fail(`the server did not report ready within ${Math.round(timeoutMs / 1000)} s`);
      if (urls === null) return await this.fail(null);
      while (Date.now() < deadline && !signal?.aborted && this.child.exitCode === null) {
        if ((await pingOk(urls.httpUrl)) && (await tcpOk(urls.mqttUrl))) return urls;
        await sleep(100);
      }
      return await this.fail(this.child.exitCode === null ? `the server printed its ready line but ${urls.httpUrl}/api/v2/ping or ${urls.mqttUrl} did not answer` : null);
    } finally {
      clearTimeout(timer);
    }
  }

  stop(timeoutMs: number): Promise<StopResult> {
    return gracefulStop(this.child, timeoutMs, () => requestShutdown(this.opts.settings.dataDir));
  }

  /** The server's own one-line reason (`lynx-server: ...` on stderr), if it printed one. */
  ownReason(): string | null {
    for (let i = this.stderrLines.length - 1; i >= 0; i--) {
      const m = /^lynx-server: (.+)$/.exec(this.stderrLines[i]);
      if (m) return m[1];
    }
    return null;
  }

  /** The error line of an uncaught exception's stack trace (a server that died before it could say why). */
  private uncaughtError(): string | null {
    return this.stderrLines.find((l) => /^[A-Za-z]*Error\b.*: /.test(l)) ?? null;
  }

  private async fail(reason: string | null): Promise<never> {
    const alive = this.child.exitCode === null && this.child.signalCode === null;
    if (alive) await this.stop(5000);
    const exit = await Promise.race([this.exited, sleep(1000).then(() => ({ code: null, signal: null }) as ExitInfo)]);
    const uncaught = this.uncaughtError();
    const why =
      reason ??
      this.ownReason() ??
      (exit.signal ? `the server was killed by ${exit.signal} during start-up` : `the server exited with code ${exit.code} during start-up${uncaught ? `: ${uncaught}` : ''}`);
    throw new StartFailure(why, exit.code, this.lastLines(), !alive && exit.code === 2);
  }

  private remember(line: string, isStderr: boolean): void {
    this.opts.log.write(line);
    this.lines.push(line);
    if (this.lines.length > this.opts.keepLines) this.lines.shift();
    if (isStderr) {
      this.stderrLines.push(line);
      if (this.stderrLines.length > this.opts.keepLines) this.stderrLines.shift();
    }
  }
}
