// The server bundle (scripts/bundle.mjs) built at most once per change of its inputs, shared by every
// test file and worker of a run and by later runs: it lives in <tmpdir>/lynx-bundle-<hash of inputs>.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const serverDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const repoDir = resolve(serverDir, '../..');
export const bundleScript = join(serverDir, 'scripts/bundle.mjs');

/** Everything the bundle is made of; the UI and @lynx/shared as built (the bundle takes their dist). */
const inputs = ['apps/server/src', 'apps/server/prisma', 'apps/server/scripts', 'apps/server/package.json', 'packages/shared/dist', 'apps/ui/dist', 'package-lock.json'];

async function filesUnder(path: string): Promise<string[]> {
  if (!existsSync(path)) return [];
  const entries = await readdir(path, { withFileTypes: true }).catch(() => null);
  if (!entries) return [path]; // a file
  const nested = await Promise.all(
    entries.filter((e) => !e.name.endsWith('.spec.ts') && e.name !== 'node_modules').map((e) => (e.isDirectory() || e.isSymbolicLink() ? filesUnder(join(path, e.name)) : [join(path, e.name)])),
  );
  return nested.flat();
}

/** Hash of the inputs' paths and contents (about 600 files: well under a second). */
export async function bundleInputsHash(): Promise<string> {
  const hash = createHash('sha256');
  const files = (await Promise.all(inputs.map((p) => filesUnder(join(repoDir, p))))).flat().sort();
  for (const file of files) {
    hash.update(relative(repoDir, file).split(sep).join('/'));
    hash.update('\0');
    hash.update(await readFile(file));
    hash.update('\0');
  }
  hash.update(process.version.split('.')[0]); // native addons are per Node ABI
  return hash.digest('hex').slice(0, 16);
}

function runBundleScript(out: string): Promise<void> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [bundleScript, '--out', out], { cwd: repoDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', rej);
    child.on('exit', (code) => (code === 0 ? res() : rej(new Error(`bundle build failed (${code}): ${output.trim()}`))));
  });
}

/** Bundles not used for an hour (the mtime is refreshed on use): every edit of the sources makes a new one (about 30 MB). */
async function pruneOldBundles(keep: string): Promise<void> {
  const hourAgo = Date.now() - 3_600_000;
  for (const name of await readdir(tmpdir()).catch(() => [] as string[])) {
    const path = join(tmpdir(), name);
    if (!name.startsWith('lynx-bundle-') || path === keep) continue;
    const info = await stat(path).catch(() => null);
    if (info && info.mtimeMs < hourAgo) await rm(path, { recursive: true, force: true }).catch(() => {});
  }
}

let pending: Promise<string> | undefined;

/**
 * Folder of a built bundle matching the current sources; builds it when none does. Built in a
 * private folder and renamed into place, so concurrent callers (other workers) never see half of
 * one. LYNX_TEST_BUNDLE_DIR points at a prebuilt bundle instead (CI after `npm run bundle`).
 * Treat the folder as read-only: copy it before changing anything.
 */
export function ensureBundle(): Promise<string> {
  pending ??= (async () => {
    if (process.env.LYNX_TEST_BUNDLE_DIR) return resolve(process.env.LYNX_TEST_BUNDLE_DIR);
    const dir = join(tmpdir(), `lynx-bundle-${await bundleInputsHash()}`);
    if (existsSync(join(dir, 'manifest.json'))) {
      // Marks it in use, so another run's pruning leaves it alone.
      await utimes(dir, new Date(), new Date()).catch(() => {});
      return dir;
    }
    const building = `${dir}.building-${process.pid}-${Date.now()}`;
    try {
      await runBundleScript(building);
      await rename(building, dir).catch((err: NodeJS.ErrnoException) => {
        // Another worker got there first with the same inputs: use theirs.
        if (!existsSync(join(dir, 'manifest.json'))) throw err;
      });
    } finally {
      await rm(building, { recursive: true, force: true });
    }
    await pruneOldBundles(dir);
    return dir;
  })();
  pending.catch(() => (pending = undefined));
  return pending;
}
