import { appendFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BundleInstall, bundleProblems, compareVersions, verifyBundle } from './bundle-install.js';
import { crashingBundle, removeDirs, tempDir } from './supervisor.test-helpers.js';

const dirs: string[] = [];
afterEach(async () => {
  await removeDirs(...dirs.splice(0));
});

async function bundle(version: string): Promise<string> {
  const dir = await crashingBundle(version);
  dirs.push(dir);
  return dir;
}

describe('bundle installation', () => {
  it('compares versions numerically, pre-releases before their release', () => {
    expect(compareVersions('0.10.0', '0.9.1')).toBe(1);
    expect(compareVersions('1.0.0', '1.0')).toBe(0);
    expect(compareVersions('1.0.0-rc.1', '1.0.0')).toBe(-1);
    expect(compareVersions('1.0.0', '1.0.0-rc.1')).toBe(1);
    expect(compareVersions('0.1.0', '0.2.0')).toBe(-1);
  });

  it('installs verified copies, switches current/previous and prunes older versions', async () => {
    const dataDir = await tempDir('install');
    dirs.push(dataDir);
    const install = new BundleInstall(dataDir);
    expect(await install.current()).toBe(null);
    for (const v of ['0.1.0', '0.2.0', '0.3.0']) {
      await install.install(await bundle(v));
      await install.switchTo(v);
    }
    expect(await install.current()).toBe('0.3.0');
    expect(await install.previous()).toBe('0.2.0');
    await install.prune();
    expect((await readdir(join(dataDir, 'server', 'versions'))).sort()).toEqual(['0.2.0', '0.3.0']);
    expect(await bundleProblems(install.versionDir('0.3.0'))).toEqual([]);
    await install.setPointers('0.2.0', null);
    expect([await install.current(), await install.previous()]).toEqual(['0.2.0', null]);
  });

  it('refuses a damaged bundle and leaves no half-installed version behind', async () => {
    const source = await bundle('0.4.0');
    await appendFile(join(source, 'server.mjs'), '// changed after signing\n');
    await expect(verifyBundle(source)).rejects.toThrow(/server\.mjs: checksum differs/);
    const dataDir = await tempDir('install');
    dirs.push(dataDir);
    const install = new BundleInstall(dataDir);
    await expect(install.install(source)).rejects.toThrow(/damaged/);
    expect(await readdir(join(dataDir, 'server', 'versions'))).toEqual([]);
  });

  it('refuses a folder without a valid manifest', async () => {
    const dir = await tempDir('nobundle');
    dirs.push(dir);
    await expect(verifyBundle(dir)).rejects.toThrow(/not a server bundle/);
    await writeFile(join(dir, 'manifest.json'), JSON.stringify({ name: 'x', version: '../evil', entry: 'server.mjs', files: {} }));
    await expect(verifyBundle(dir)).rejects.toThrow(/version/);
    await rm(join(dir, 'manifest.json'));
  });
});
