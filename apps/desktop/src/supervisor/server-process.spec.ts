import { afterEach, describe, expect, it } from 'vitest';
import { serverCommand } from './server-process.js';
import { defaultSettings } from './settings-store.js';

const saved = process.env.LYNX_HTTP_PORT;
afterEach(() => {
  if (saved === undefined) delete process.env.LYNX_HTTP_PORT;
  else process.env.LYNX_HTTP_PORT = saved;
});

describe('serverCommand', () => {
  it('passes the settings as flags and nothing inherited from LYNX_* variables', () => {
    process.env.LYNX_HTTP_PORT = '9999';
    const { args, env } = serverCommand({ bundleDir: '/opt/lynx/0.1.0', entry: 'server.mjs', settings: { ...defaultSettings('/data'), httpPort: 8081 } });
    expect(args).toEqual(['/opt/lynx/0.1.0/server.mjs', '--data-dir', '/data', '--host', '127.0.0.1', '--http-port', '8081', '--mqtt-port', '1883', '--admin-email', 'admin@lynx.local']);
    expect(env.LYNX_HTTP_PORT).toBeUndefined();
    expect(env.LYNX_ADMIN_PASSWORD).toBeUndefined();
    expect(env.LYNX_DATABASE_URL).toBeUndefined();
    // Inside Electron, the app's own binary runs the server as plain Node.
    expect(env.ELECTRON_RUN_AS_NODE).toBe('1');
  });

  it('gives the admin password of a first start and a PostgreSQL URL through the environment, never argv', () => {
    const url = 'postgresql://lynx:secret@db:5432/lynx';
    const { args, env } = serverCommand({
      bundleDir: '/b',
      entry: 'server.mjs',
      settings: { ...defaultSettings('/data'), database: { kind: 'postgres', url } },
      adminPassword: 'first-start-password',
    });
    expect(env.LYNX_DATABASE_URL).toBe(url);
    expect(env.LYNX_ADMIN_PASSWORD).toBe('first-start-password');
    expect(args.join(' ')).not.toMatch(/secret|first-start-password/);
  });
});
