// The lynx-server command as IT runs it: help, configuration errors, first-start password, signals.
import { writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LynxHttp } from './helpers/lynx-http.js';
import { makeDataDir, removeDataDir, runCli, startServerProcess } from './helpers/server-process.js';

describe('lynx-server command', () => {
  it('prints help', async () => {
    const { code, stdout } = await runCli(['--help']);
    expect(code).toBe(0);
    for (const flag of ['--config', '--host', '--http-port', '--mqtt-port', '--data-dir', '--database-url', 'LYNX_ADMIN_PASSWORD']) expect(stdout).toContain(flag);
  });

  it.each([
    [['--http-port', 'eighty'], {}, /httpPort \(from --http-port\)/],
    [[], { LYNX_MQTT_PORT: '70000' }, /mqttPort \(from LYNX_MQTT_PORT\)/],
    [[], { LYNX_ADMIN_EMAIL: 'not-an-email' }, /adminEmail \(from LYNX_ADMIN_EMAIL\)/],
    [['--bogus'], {}, /bogus/],
  ] as const)('exits 2 with one line naming the key for %j %j', async (args, env, pattern) => {
    const { code, stderr } = await runCli([...args], { ...env });
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(pattern);
  });

  it('names a bad key of the config file', async () => {
    const dir = await makeDataDir();
    try {
      const file = join(dir, 'lynx.yaml');
      await writeFile(file, 'httpPort: 0\nmqttPort: -5\n');
      const { code, stderr } = await runCli(['--config', file]);
      expect(code).toBe(2);
      expect(stderr).toMatch(/mqttPort \(from .*lynx\.yaml\)/);
      await writeFile(file, 'htpPort: 1\n');
      expect((await runCli(['--config', file])).stderr).toMatch(/unknown key "htpPort"/);
    } finally {
      await removeDataDir(dir);
    }
  });

  it('layers file < env < flags', async () => {
    const dir = await makeDataDir();
    try {
      const file = join(dir, 'lynx.yaml');
      await writeFile(file, `host: 127.0.0.1\nhttpPort: 1\nmqttPort: 0\ndataDir: ${join(dir, 'from-file')}\n`);
      const server = await startServerProcess({ dataDir: dir, args: ['--config', file, '--http-port', '0'], env: { LYNX_HTTP_PORT: '2', LYNX_DATA_DIR: '' } });
      expect(server.httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(server.httpUrl.endsWith(':1') || server.httpUrl.endsWith(':2')).toBe(false);
      expect(await server.stop()).toBe(0);
    } finally {
      await removeDataDir(dir);
    }
  });

  it('generates the first admin password, prints it once, and it works', async () => {
    const dir = await makeDataDir();
    try {
      const first = await startServerProcess({ dataDir: dir, adminPassword: null });
      const line = first.stdout.find((l) => l.includes('created admin user'));
      const password = /with password (\S+)/.exec(line ?? '')?.[1];
      expect(password).toBeTruthy();
      expect(password!.length).toBeGreaterThanOrEqual(16);
      await new LynxHttp(first.httpUrl).login('admin@lynx.local', password!);
      expect(await first.stop('SIGINT')).toBe(0);
      const second = await startServerProcess({ dataDir: dir, adminPassword: null });
      expect(second.stdout.join('\n')).not.toContain(password!);
      expect(await second.stop()).toBe(0);
    } finally {
      await removeDataDir(dir);
    }
  });

  it('shows the generated password even when the first start fails on a busy port', async () => {
    const dir = await makeDataDir();
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (busy.address() as AddressInfo).port;
      // Both starts must share one AAM database, whichever provider this project runs the suite on.
      const database = { LYNX_DATABASE_URL: `file:${join(dir, 'aam.db')}` };
      const env: Record<string, string> = { ...database, LYNX_DATA_DIR: dir, LYNX_HTTP_PORT: '0', LYNX_MQTT_PORT: String(port), LYNX_HOST: '127.0.0.1', LYNX_LOG_LEVEL: 'silent', LYNX_ADMIN_PASSWORD: '' };
      const failed = await runCli([], env);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(/already in use/);
      const password = /with password (\S+)/.exec(failed.stdout)?.[1];
      expect(password).toBeTruthy();
      const next = await startServerProcess({ dataDir: dir, adminPassword: null, env: database });
      await new LynxHttp(next.httpUrl).login('admin@lynx.local', password!);
      expect(await next.stop()).toBe(0);
    } finally {
      busy.close();
      await removeDataDir(dir);
    }
  });

  it('refuses a second server on the same data dir with one line', async () => {
    const dir = await makeDataDir();
    try {
      const first = await startServerProcess({ dataDir: dir });
      const { code, stderr } = await runCli([], { LYNX_DATA_DIR: dir, LYNX_HTTP_PORT: '0', LYNX_MQTT_PORT: '0', LYNX_HOST: '127.0.0.1', LYNX_LOG_LEVEL: 'silent', LYNX_ADMIN_PASSWORD: 'whatever-123' });
      expect(code).toBe(1);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toMatch(/in use/);
      await first.stop();
    } finally {
      await removeDataDir(dir);
    }
  });
});
