// Starts the real built server (apps/server/dist/cli/main.js) on free ports in a temporary data
// dir, as a user would run it, and stops it again. The UI must be built (apps/ui/dist).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const repo = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const serverMain = join(repo, 'apps/server/dist/cli/main.js');
export const uiIndex = join(repo, 'apps/ui/dist/index.html');

export interface E2eServer {
  httpUrl: string;
  mqttUrl: string;
  adminEmail: string;
  adminPassword: string;
  dataDir: string;
  child: ChildProcess;
  output: string[];
  stop(): Promise<void>;
}

export async function startE2eServer(): Promise<E2eServer> {
  for (const [file, hint] of [
    [serverMain, 'npm run build -w @lynx/server'],
    [uiIndex, 'npm run build -w @lynx/ui'],
  ]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: build first (npm run build, or ${hint})`);
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'lynx-e2e-'));
  const adminEmail = 'admin@lynx.local';
  const adminPassword = 'e2e-admin-password';
  const child = spawn(process.execPath, [serverMain], {
    env: {
      ...process.env,
      LYNX_HOST: '127.0.0.1',
      LYNX_HTTP_PORT: '0',
      LYNX_MQTT_PORT: '0',
      LYNX_DATA_DIR: dataDir,
      LYNX_ADMIN_EMAIL: adminEmail,
      LYNX_ADMIN_PASSWORD: adminPassword,
      LYNX_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (l) => output.push(l));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const ready = await new Promise<RegExpExecArray>((res, rej) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output.push(line);
      const m = /^lynx-server ready http=(\S+) mqtt=(\S+)$/.exec(line);
      if (m) res(m);
    });
    void exited.then(() => rej(new Error(`server exited before ready:\n${output.join('\n')}`)));
  });
  return {
    httpUrl: ready[1],
    mqttUrl: ready[2],
    adminEmail,
    adminPassword,
    dataDir,
    child,
    output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
