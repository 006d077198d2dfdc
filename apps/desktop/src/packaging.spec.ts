// electron-builder.yml checked offline against electron-builder's own JSON schema (the same one it
// validates with before packaging), plus what the desktop issue asks of the packages.
import { Ajv } from 'ajv';
import { createHash } from 'node:crypto';
import { access, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../../', import.meta.url));

describe('electron-builder.yml', async () => {
  const config = parse(await readFile(`${repo}electron-builder.yml`, 'utf8')) as Record<string, any>;
  const schema = JSON.parse(await readFile(`${repo}node_modules/app-builder-lib/scheme.json`, 'utf8'));

  it('validates against the electron-builder schema', () => {
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    expect(validate(config) ? [] : validate.errors).toEqual([]);
  });

  it('builds AppImage and deb, an NSIS per-user installer and a dmg, with the server bundle as a resource', () => {
    expect(config.productName).toBe('Lynx On-Premise');
    expect(config.directories).toMatchObject({ app: 'apps/desktop', output: 'release' });
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.linux.maintainer).toBeTruthy();
    expect(config.linux.category).toBeTruthy();
    expect(config.win.target).toEqual(['nsis']);
    expect(config.nsis).toMatchObject({ oneClick: false, perMachine: false });
    expect(config.mac).toMatchObject({ target: ['dmg'], hardenedRuntime: true });
    expect(config.mac.category).toMatch(/^public\.app-category\./);
    expect(config.asar).toBe(true);
    expect(config.extraResources).toContainEqual(expect.objectContaining({ from: 'apps/server/bundle', to: 'server' }));
  });

  it('packages the built app whose main field it starts', async () => {
    const pkg = JSON.parse(await readFile(`${repo}apps/desktop/package.json`, 'utf8'));
    expect(pkg.main).toBe('dist/main/main.js');
    expect(config.files).toContain('dist/**/*');
    // Everything the app runs is bundled into dist: no runtime dependency to collect.
    expect(pkg.dependencies ?? {}).toEqual({});
  });
});

describe('afterPack hook', () => {
  const { completeServerResources } = createRequire(import.meta.url)('../scripts/after-pack.cjs') as {
    completeServerResources(source: string, target: string): string[];
  };
  const temp = mkdtemp(path.join(tmpdir(), 'lynx-after-pack-'));
  afterAll(async () => rm(await temp, { recursive: true, force: true }));

  it('is the hook electron-builder.yml names', async () => {
    const config = parse(await readFile(`${repo}electron-builder.yml`, 'utf8')) as { afterPack: string };
    await access(`${repo}${config.afterPack}`);
  });

  it('puts back the files electron-builder skipped and refuses files that differ from the manifest', async () => {
    const root = await temp;
    const source = path.join(root, 'bundle');
    const files: Record<string, string> = { 'server.mjs': 'console.log(1)', 'node_modules/x/test/.gitkeep': '' };
    for (const [file, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(source, file)), { recursive: true });
      await writeFile(path.join(source, file), text);
    }
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    await writeFile(path.join(source, 'manifest.json'), JSON.stringify({ files: Object.fromEntries(Object.entries(files).map(([f, t]) => [f, sha(t)])) }));
    const target = path.join(root, 'resources/server');
    await cp(source, target, { recursive: true, filter: (file) => !file.endsWith('.gitkeep') });

    expect(completeServerResources(source, target)).toEqual(['node_modules/x/test/.gitkeep']);
    expect(completeServerResources(source, target)).toEqual([]);
    await writeFile(path.join(target, 'server.mjs'), 'tampered');
    expect(() => completeServerResources(source, target)).toThrow('packaged server file server.mjs does not match the bundle manifest');
  });
});
