import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultSettings, SettingsError, SettingsStore, validateSettings } from './settings-store.js';
import { tempDir } from './supervisor.test-helpers.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('settings', () => {
  it('saves and loads them; nothing saved means the first run', async () => {
    dir = await tempDir('settings');
    const store = new SettingsStore(join(dir, 'config'));
    expect(store.exists()).toBe(false);
    expect(await store.load()).toBe(null);
    const settings = { ...defaultSettings('/var/lib/lynx'), database: { kind: 'postgres' as const, url: 'postgresql://lynx:secret@db:5432/lynx' } };
    await store.save(settings);
    expect(await store.load()).toEqual(settings);
    // It may hold a database password: only the user reads it.
    if (process.platform !== 'win32') expect((await stat(store.file)).mode & 0o077).toBe(0);
  });

  it('refuses invalid values with the name of the field', () => {
    const ok = defaultSettings('/data');
    expect(() => validateSettings({ ...ok, httpPort: 70000 })).toThrow(/httpPort/);
    expect(() => validateSettings({ ...ok, dataDir: 'relative/dir' })).toThrow(/dataDir: must be an absolute path/);
    expect(() => validateSettings({ ...ok, mqttPort: ok.httpPort })).toThrow(/mqttPort: the HTTP and MQTT ports must differ/);
    expect(() => validateSettings({ ...ok, database: { kind: 'postgres', url: 'mysql://x' } })).toThrow(/database\.url/);
    expect(() => validateSettings({ ...ok, adminEmail: 'nobody' })).toThrow(SettingsError);
  });

  it('reports a damaged settings file instead of starting over', async () => {
    dir = await tempDir('settings');
    const store = new SettingsStore(dir);
    await writeFile(store.file, '{"dataDir": ');
    await expect(store.load()).rejects.toThrow(/not valid JSON/);
    await writeFile(store.file, JSON.stringify({ ...defaultSettings('/d'), httpPort: 'x' }));
    await expect(store.load()).rejects.toThrow(/httpPort/);
    expect(await readFile(store.file, 'utf8')).toContain('"x"');
  });
});
