import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load-config.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lynx-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadConfig', () => {
  it('uses the documented defaults', () => {
    const { config } = loadConfig([], {}, '/srv');
    expect(config).toMatchObject({ host: '0.0.0.0', httpPort: 8080, mqttPort: 1883, dataDir: '/srv/data', databaseUrl: 'file:/srv/data/aam.db', adminEmail: 'admin@lynx.local' });
    expect(config.adminPassword).toBeUndefined();
  });

  it('layers file, then environment, then flags', async () => {
    const file = join(dir, 'a.yaml');
    await writeFile(file, 'httpPort: 1000\nmqttPort: 1001\nhost: 10.0.0.1\nlogLevel: debug\n');
    const { config } = loadConfig(['--config', file, '--mqtt-port', '3001'], { LYNX_HTTP_PORT: '2000', LYNX_MQTT_PORT: '2001' }, dir);
    expect(config).toMatchObject({ httpPort: 2000, mqttPort: 3001, host: '10.0.0.1', logLevel: 'debug' });
  });

  it('resolves the data dir and derives the SQLite URL from it', () => {
    const { config } = loadConfig(['--data-dir', 'state'], {}, '/opt/lynx');
    expect(config.dataDir).toBe('/opt/lynx/state');
    expect(config.databaseUrl).toBe('file:/opt/lynx/state/aam.db');
    expect(loadConfig([], { LYNX_DATABASE_URL: 'file:/x/y.db' }).config.databaseUrl).toBe('file:/x/y.db');
  });

  it.each([
    [['--http-port', 'abc'], {}, 'httpPort (from --http-port)'],
    [['--http-port', '65536'], {}, 'httpPort (from --http-port)'],
    [[], { LYNX_MQTT_PORT: '1.5' }, 'mqttPort (from LYNX_MQTT_PORT)'],
    [[], { LYNX_LOG_LEVEL: 'loud' }, 'logLevel (from LYNX_LOG_LEVEL)'],
    [[], { LYNX_ADMIN_PASSWORD: 'short' }, 'adminPassword (from LYNX_ADMIN_PASSWORD)'],
    [[], { LYNX_DATABASE_URL: 'mysql://x' }, 'databaseUrl (from LYNX_DATABASE_URL)'],
    [[], { LYNX_TRACE_RETENTION_DAYS: '-1' }, 'traceRetentionDays (from LYNX_TRACE_RETENTION_DAYS)'],
    [['--delivery-retention-days', '1.5'], {}, 'deliveryRetentionDays (from --delivery-retention-days)'],
    [[], { LYNX_EDGE_CALLBACK_TIMEOUT_MS: '5' }, 'edgeCallbackTimeoutMs (from LYNX_EDGE_CALLBACK_TIMEOUT_MS)'],
    [['--edge-memory-mb', '0'], {}, 'edgeMemoryMb (from --edge-memory-mb)'],
    [[], { LYNX_RETENTION_DAYS: 'week' }, 'retentionDays (from LYNX_RETENTION_DAYS)'],
  ])('names the bad key for %j %j', (args, env, expected) => {
    expect(() => loadConfig(args, env)).toThrow(ConfigError);
    expect(() => loadConfig(args, env)).toThrow(expected);
  });

  it('takes the mail settings and keeps the SMTP password out of errors', () => {
    const { config } = loadConfig(['--smtp-url', 'smtp://mailer:s3cret@mail.example.com:587'], { LYNX_MAIL_FROM: 'Lynx <lynx@example.com>' });
    expect(config).toMatchObject({ smtpUrl: 'smtp://mailer:s3cret@mail.example.com:587', mailFrom: 'Lynx <lynx@example.com>' });
    expect(loadConfig([], {}).config.smtpUrl).toBeUndefined();
    expect(() => loadConfig([], { LYNX_SMTP_URL: 'http://mailer:s3cret@mail.example.com' })).toThrow(/smtpUrl \(from LYNX_SMTP_URL\)/);
    expect(() => loadConfig([], { LYNX_SMTP_URL: 'http://mailer:s3cret@mail.example.com' })).not.toThrow(/s3cret/);
  });

  it('keeps history by default: trace a year, deliveries a month, time series forever', () => {
    const { config } = loadConfig([], {});
    expect(config).toMatchObject({ traceRetentionDays: 365, deliveryRetentionDays: 30, retentionDays: 0, rollupRetentionDays: 0, edgeCallbackTimeoutMs: 2000, edgeMemoryMb: 32 });
    expect(loadConfig(['--trace-retention-days', '0'], { LYNX_DELIVERY_RETENTION_DAYS: '7' }).config).toMatchObject({ traceRetentionDays: 0, deliveryRetentionDays: 7 });
  });

  it('rejects unknown flags and file keys', async () => {
    expect(() => loadConfig(['--nope'], {})).toThrow(/nope/);
    const file = join(dir, 'b.yaml');
    await writeFile(file, 'port: 1\n');
    expect(() => loadConfig(['--config', file], {})).toThrow(/unknown key "port"/);
    await writeFile(file, '- a\n- b\n');
    expect(() => loadConfig(['--config', file], {})).toThrow(/mapping/);
    expect(() => loadConfig(['--config', join(dir, 'missing.yaml')], {})).toThrow(/cannot read/);
  });

  it('reports --help and --version', () => {
    expect(loadConfig(['--help'], {}).help).toBe(true);
    expect(loadConfig(['-v'], {}).version).toBe(true);
  });
});
