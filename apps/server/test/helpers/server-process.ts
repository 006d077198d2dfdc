// Starts the real built server (`dist/cli/main.js`) as a child process on ephemeral ports in a temp
// data dir, the way a user runs it, and talks to it over real sockets. Under LYNX_TEST_DB=postgres
// (the vitest "postgres" project) each data dir also gets its own throwaway PostgreSQL database,
// so a restart on the same data dir finds the same AAM rows, as it does with SQLite.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, testDbKind, type TestDatabase } from '../../src/aam/store/test-helpers.js';

export const serverMain = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/cli/main.js');

export interface ServerProcess {
  child: ChildProcess;
  dataDir: string;
  httpUrl: string;
  mqttUrl: string;
  wsUrl: string;
  stdout: string[];
  stderr: string[];
  adminEmail: string;
  adminPassword: string;
  /** Sends a signal and resolves with the exit code (or `signal NAME` if the process died of one). */
  stop(signal?: NodeJS.Signals): Promise<number | string | null>;
}

/** PostgreSQL databases by data dir; created on first start, dropped with the data dir. */
const databases = new Map<string, Promise<TestDatabase>>();

function databaseFor(dataDir: string): Promise<TestDatabase> {
  let db = databases.get(dataDir);
  if (!db) {
    db = createTestDatabase(join(dataDir, 'aam.db'));
    databases.set(dataDir, db);
  }
  return db;
}

export async function makeDataDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'lynx-test-'));
}

export async function removeDataDir(dir: string): Promise<void> {
  const db = databases.get(dir);
  databases.delete(dir);
  await rm(dir, { recursive: true, force: true });
  if (db) await (await db).drop();
}

export interface StartOptions {
  dataDir?: string;
  env?: Record<string, string>;
  args?: string[];
  adminPassword?: string | null;
  timeoutMs?: number;
}

export async function startServerProcess(opts: StartOptions = {}): Promise<ServerProcess> {
  const dataDir = opts.dataDir ?? (await makeDataDir());
  const adminPassword = opts.adminPassword === undefined ? 'test-admin-password' : opts.adminPassword;
  const env: Record<string, string> = {
    ...process.env,
    LYNX_HOST: '127.0.0.1',
    LYNX_HTTP_PORT: '0',
    LYNX_MQTT_PORT: '0',
    LYNX_DATA_DIR: dataDir,
    LYNX_LOG_LEVEL: 'warn',
    ...(adminPassword === null ? {} : { LYNX_ADMIN_PASSWORD: adminPassword }),
    ...(testDbKind() === 'postgres' && { LYNX_DATABASE_URL: (await databaseFor(dataDir)).url }),
    ...opts.env,
  } as Record<string, string>;
  if (adminPassword === null) delete env.LYNX_ADMIN_PASSWORD;
  const child = spawn(process.execPath, [serverMain, ...(opts.args ?? [])], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: string[] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));
  const exited = new Promise<number | string | null>((res) => child.once('exit', (code, sig) => res(code ?? `signal ${sig}`)));

  const ready = await new Promise<RegExpExecArray>((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`server not ready after ${opts.timeoutMs ?? 30000} ms; stderr: ${stderr.join('\n')}`)), opts.timeoutMs ?? 30000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      stdout.push(line);
      const m = /^lynx-server ready http=(http:\/\/\S+) mqtt=(mqtt:\/\/\S+)$/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolveReady(m);
      }
    });
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before ready; stderr: ${stderr.join('\n')}`));
    });
  });
  const httpUrl = ready[1];
  return {
    child,
    dataDir,
    httpUrl,
    mqttUrl: ready[2],
    wsUrl: `${httpUrl.replace(/^http/, 'ws')}/mqtt`,
    stdout,
    stderr,
    adminEmail: env.LYNX_ADMIN_EMAIL ?? 'admin@lynx.local',
    adminPassword: adminPassword ?? '',
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode ?? `signal ${child.signalCode}`;
      child.kill(signal);
      return exited;
    },
  };
}

/** Runs the CLI to completion (for --help, bad configuration); returns code and output. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [serverMain, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => res({ code, stdout, stderr }));
  });
}
