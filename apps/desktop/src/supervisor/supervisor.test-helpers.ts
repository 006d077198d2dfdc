// Test support for the supervisor specs: the real server bundle (from the server's test helper),
// derived bundles for upgrades and crashes, and a few raw REST calls. Not part of the app build (tsconfig.build excludes *.test-helpers.ts).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const serverHelper = join(repoDir, 'apps/server/test/helpers/bundle.ts');

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `lynx-sup-${prefix}-`));
}

async function listFiles(dir: string, base = dir): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(path, base)));
    else out.push(relative(base, path).split(sep).join('/'));
  }
  return out;
}

/** Recomputes manifest.json (keeping its other fields) and sets the version in it and package.json. */
export async function resign(dir: string, version?: string): Promise<void> {
  const manifest = existsSync(join(dir, 'manifest.json')) ? JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) : { name: 'lynx-server', entry: 'server.mjs' };
  const pkg = existsSync(join(dir, 'package.json')) ? JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) : { name: 'lynx-server', type: 'module' };
  if (version) pkg.version = version;
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  const files: Record<string, string> = {};
  for (const rel of await listFiles(dir)) {
    if (rel === 'manifest.json') continue;
    files[rel] = createHash('sha256').update(await readFile(join(dir, rel))).digest('hex');
  }
  await writeFile(join(dir, 'manifest.json'), `${JSON.stringify({ ...manifest, version: pkg.version, files }, null, 2)}\n`);
}

/** The real server bundle, built once per change of the server sources (apps/server/test/helpers/bundle.ts). */
export async function baseBundle(): Promise<string> {
  // A computed specifier: the desktop typecheck must not pull the server's test tree in.
  const mod = (await import(pathToFileURL(serverHelper).href)) as { ensureBundle(): Promise<string> };
  return mod.ensureBundle();
}

/** A copy of `base` at `version`, changed by `edit` before it is re-signed. */
export async function derivedBundle(base: string, version: string, edit: (dir: string) => Promise<void> = async () => {}): Promise<string> {
  const dir = await tempDir(`bundle-${version}`);
  await cp(base, dir, { recursive: true, verbatimSymlinks: true });
  await edit(dir);
  await resign(dir, version);
  return dir;
}

/** A tiny bundle whose server dies at start, the way a broken build would. */
export async function crashingBundle(version = '0.1.0', message = 'simulated start-up crash'): Promise<string> {
  const dir = await tempDir('crashing');
  await writeFile(join(dir, 'server.mjs'), `throw new Error(${JSON.stringify(message)});\n`);
  await resign(dir, version);
  return dir;
}

export async function addMigration(bundleDir: string, name: string, sql: string): Promise<void> {
  const dir = join(bundleDir, 'migrations', 'sqlite', name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'migration.sql'), sql);
}

export async function removeDirs(...dirs: (string | undefined)[]): Promise<void> {
  for (const d of dirs) if (d) await rm(d, { recursive: true, force: true });
}

// ---- raw REST ----------------------------------------------------------------------------------

export async function api<T = any>(baseUrl: string, method: string, path: string, opts: { token?: string; basic?: [string, string]; body?: unknown } = {}): Promise<T> {
  const headers: Record<string, string> = {};
  if (opts.token) headers['X-API-Key'] = opts.token;
  if (opts.basic) headers.Authorization = `Basic ${Buffer.from(opts.basic.join(':')).toString('base64')}`;
  const res = await fetch(baseUrl + path, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

export async function login(baseUrl: string, email: string, password: string): Promise<string> {
  return (await api<{ token: string }>(baseUrl, 'POST', '/api/v2/auth', { basic: [email, password] })).token;
}
