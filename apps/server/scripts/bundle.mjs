// Builds the self-contained server folder the desktop app ships and a headless install can run with a
// plain `node server.mjs`: one esbuild bundle, plus the few packages that load files relative to
// themselves (native addons, wasm, static assets), the Prisma migrations and the built admin UI.
//   node apps/server/scripts/bundle.mjs [--out <dir>] [--version <v>] [--no-minify]
// Layout and contract: docs/bundle.md.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const serverDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoDir = resolve(serverDir, '../..');
const uiDist = join(repoDir, 'apps/ui/dist');
const platform = `${process.platform}-${process.arch}`;
/** The Node versions the bundle runs on: the repository's own `engines` range. */
const nodeRange = JSON.parse(await readFile(join(repoDir, 'package.json'), 'utf8')).engines?.node ?? '>=20.19.0';

/**
 * Packages left out of the bundle and copied with their dependencies: each finds files next to its
 * own code at run time (a `.node` addon, a `.wasm`). Packages the sources load through a
 * `createRequire` of their own are added by `locallyRequired` (esbuild cannot follow those).
 */
export const externalPackages = ['better-sqlite3', 'classic-level', '@node-rs/argon2', '@prisma/schema-engine-wasm', 'wasmoon'];

/**
 * Bundled packages that read a few files relative to their own code: those folders are copied to
 * vendor/<package>/ and the package's `__dirname` points there. Cheaper at start than leaving the
 * package external (swagger-ui alone loaded some 60 CommonJS files, about 150 ms).
 */
const relocatedAssets = { '@fastify/swagger-ui': ['static'] };

/** `x` of `require('x')` / `require.resolve('x')` in source files that make their own require. */
async function locallyRequired(dir) {
  const found = new Set();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !/\.ts$/.test(entry.name) || /\.spec\.ts$/.test(entry.name)) continue;
    const text = await readFile(join(entry.parentPath, entry.name), 'utf8');
    if (!text.includes('createRequire(import.meta.url)')) continue;
    for (const m of text.matchAll(/\brequire(?:\.resolve)?\(\s*['"]([^'"./][^'"]*)['"]/g)) {
      const spec = m[1];
      if (spec.startsWith('node:')) continue;
      found.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
    }
  }
  return [...found].sort();
}

/** Dependencies used only when npm installs a package (better-sqlite3 fetching its prebuilt addon). */
const installTimeOnly = new Set(['prebuild-install']);

/** Inside copied packages: nested installs (placed by copyPackages itself) and repository files. */
const skippedInPackage = new Set(['node_modules', '.github']);
/** Inside native addon packages (with a binding.gyp): the C/C++ sources and the compiler's leftovers. */
const skippedInNative = new Set(['deps', 'src', 'obj', 'obj.target', '.deps', 'Makefile', 'config.gypi', 'test_extension.node']);

function isSkipped(rel, native) {
  const parts = rel.split(sep);
  if (parts.some((p) => skippedInPackage.has(p) || (native && skippedInNative.has(p)))) return true;
  // Prebuilt addons of other platforms (classic-level ships all of them).
  const pre = parts.indexOf('prebuilds');
  if (pre >= 0 && parts.length > pre + 1 && parts[pre + 1] !== platform) return true;
  return /\.(md|markdown|map|d\.ts|d\.mts|d\.cts|c|cc|cpp|h|hpp|o|a|gyp|gypi|mk)$/i.test(rel) && !/^license/i.test(parts.at(-1));
}

/** The folder of `name` as Node would resolve it from `fromDir`, or null when it is not installed. */
async function packageDir(name, fromDir) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpath(candidate);
    if (dirname(dir) === dir) return null;
  }
}

/**
 * Copies `names` and everything they depend on into `<out>/node_modules`, flat. Optional
 * dependencies come along only when installed (the argon2 build of this platform); a second
 * version of a package goes under its dependant's own node_modules, as npm would put it.
 */
async function copyPackages(names, out) {
  const placed = new Map(); // name -> version at the top level
  const queue = names.map((name) => ({ name, fromDir: serverDir, parentTarget: null, optional: false }));
  const copiedDirs = new Set();
  while (queue.length) {
    const { name, fromDir, parentTarget, optional } = queue.shift();
    // Type declarations some packages list as dependencies are never loaded.
    if (installTimeOnly.has(name) || name.startsWith('@types/')) continue;
    const src = await packageDir(name, fromDir);
    if (!src) {
      if (optional) continue;
      throw new Error(`bundle: package ${name} (needed from ${relative(repoDir, fromDir) || '.'}) is not installed`);
    }
    const pkg = JSON.parse(await readFile(join(src, 'package.json'), 'utf8'));
    let target;
    if (!placed.has(name)) {
      placed.set(name, pkg.version);
      target = join(out, 'node_modules', name);
    } else if (placed.get(name) === pkg.version) {
      continue;
    } else {
      // Another version than the top-level one: nested under its dependant, found first from there.
      target = join(parentTarget ?? out, 'node_modules', name);
    }
    if (copiedDirs.has(target)) continue;
    copiedDirs.add(target);
    const native = existsSync(join(src, 'binding.gyp'));
    await cp(src, target, { recursive: true, dereference: true, filter: (file) => !isSkipped(relative(src, file), native) });
    for (const [dep, optionalDep] of [...Object.keys(pkg.dependencies ?? {}).map((d) => [d, false]), ...Object.keys(pkg.optionalDependencies ?? {}).map((d) => [d, true])]) {
      queue.push({ name: dep, fromDir: src, parentTarget: target, optional: optionalDep });
    }
  }
  return [...placed.keys()].sort();
}

async function listFiles(dir, base = dir) {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(full, base)));
    else if (entry.isFile()) out.push(relative(base, full).split(sep).join('/'));
  }
  return out.sort();
}

async function sha256File(path) {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}

/**
 * (Re)writes `manifest.json` with the sha256 of every other file, and sets `version` in it and in the
 * bundle's package.json (which `--version` reads). Tests use it to re-sign a modified copy.
 */
export async function writeManifest(dir, { version } = {}) {
  const pkgPath = join(dir, 'package.json');
  const pkg = JSON.parse(await readFile(pkgPath, 'utf8'));
  if (version && version !== pkg.version) {
    pkg.version = version;
    await writeFile(pkgPath, `${JSON.stringify(pkg, null, 2)}\n`);
  }
  const files = {};
  for (const rel of await listFiles(dir)) {
    if (rel === 'manifest.json') continue;
    files[rel] = await sha256File(join(dir, rel));
  }
  const manifest = {
    name: 'lynx-server',
    version: pkg.version,
    builtAt: new Date().toISOString(),
    node: nodeRange,
    platform,
    entry: 'server.mjs',
    files,
  };
  await writeFile(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

// CommonJS dependencies call require/__dirname; an ESM bundle has neither unless the banner makes them.
const banner = [
  "import { createRequire as __lynxCreateRequire } from 'node:module';",
  "import { fileURLToPath as __lynxFileURLToPath } from 'node:url';",
  "import { dirname as __lynxDirname } from 'node:path';",
  'const require = __lynxCreateRequire(import.meta.url);',
  'const __filename = __lynxFileURLToPath(import.meta.url);',
  'const __dirname = __lynxDirname(__filename);',
  // The bundle's root, from the entry or from a file in chunks/ (see relocatedAssets).
  "const __lynxBundleDir = /[\\\\/]chunks$/.test(__dirname) ? __lynxDirname(__dirname) : __dirname;",
].join('\n');

/**
 * The entry the contract names: turns on Node's on-disk compile cache where Node has it (22.1+, e.g.
 * under Electron), before the server's modules are compiled, then loads them. A lone `--version`
 * (what a supervisor asks of a bundle it is about to install) answers from package.json without
 * loading the server, as cli/main.ts would.
 */
const entryBootstrap = `// lynx-server bundle entry (generated by apps/server/scripts/bundle.mjs).
import { readFileSync } from 'node:fs';
import module from 'node:module';
if (process.argv.length === 3 && process.argv[2] === '--version') {
  const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
  process.stdout.write(\`lynx-server \${version}\\n\`);
} else {
  try {
    module.enableCompileCache?.();
  } catch {
    // No cache folder to write to: start without it.
  }
  // A dependency that fails to load (a native addon of another platform or Node) fails here, before
  // the CLI's own error handling: still one line, as the contract wants.
  await import('./lynx-server.js').catch((err) => {
    process.stderr.write(\`lynx-server: \${String(err?.message ?? err).split('\\n')[0]}\\n\`);
    process.exit(1);
  });
}
`;

/** esbuild plugin: `__dirname` of relocatedAssets packages becomes their folder under vendor/. */
const relocateAssetsPlugin = {
  name: 'relocate-assets',
  setup(build) {
    for (const name of Object.keys(relocatedAssets)) {
      const marker = `${sep}node_modules${sep}${name.split('/').join(sep)}${sep}`;
      build.onLoad({ filter: new RegExp(`${marker.replace(/[\\/.@-]/g, (c) => `\\${c}`)}.*\\.js$`) }, async (args) => {
        const inPackage = dirname(args.path.slice(args.path.lastIndexOf(marker) + marker.length));
        const rel = ['vendor', name, ...(inPackage === '.' ? [] : inPackage.split(sep))].join('/');
        const text = await readFile(args.path, 'utf8');
        return { contents: text.replaceAll('__dirname', `(__lynxBundleDir + ${JSON.stringify(`/${rel}`)})`), loader: 'js', resolveDir: dirname(args.path) };
      });
    }
  },
};

/**
 * One esbuild run for the server entry and the edge-app worker. Code splitting puts what is only
 * imported dynamically (the PostgreSQL client and driver, the schema engine, ...) in chunks/ that
 * load on first use: a start on SQLite with an up-to-date database never parses them.
 */
async function runEsbuild(esbuild, out, externals, minify) {
  await esbuild.build({
    entryPoints: {
      'lynx-server': join(serverDir, 'src/cli/main.ts'),
      // The edge-app runtime starts this file as a worker thread beside the entry (instance-supervisor.ts).
      'lua-worker': join(serverDir, 'src/processors/edge-apps/runtime/lua-worker.ts'),
    },
    outdir: out,
    entryNames: '[name]',
    chunkNames: 'chunks/[name]-[hash]',
    splitting: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Tells the sources they run from the bundle's layout (see open-store.ts, serve-ui.ts, cli/main.ts).
    define: { LYNX_BUNDLED: 'true' },
    banner: { js: banner },
    external: [...externals, ...externals.map((p) => `${p}/*`)],
    logLevel: 'warning',
    legalComments: 'none',
    // Less to read and parse at every start; names kept for error messages and logs. Unminified
    // (--no-minify) for readable CPU profiles.
    minify,
    minifySyntax: true,
    keepNames: true,
    sourcemap: false,
    plugins: [relocateAssetsPlugin],
  });
  await writeFile(join(out, 'server.mjs'), entryBootstrap);
}

export async function buildBundle({ out = join(serverDir, 'bundle'), version, minify = true } = {}) {
  const started = performance.now();
  out = resolve(out);
  const serverPkg = JSON.parse(await readFile(join(serverDir, 'package.json'), 'utf8'));
  version ??= serverPkg.version;
  if (!existsSync(join(serverDir, 'src/aam/store/generated/sqlite/client.ts'))) {
    throw new Error('bundle: the Prisma clients are not generated: run `npm run build -w @lynx/server` first');
  }
  if (!existsSync(join(uiDist, 'index.html'))) throw new Error('bundle: apps/ui/dist is missing: run `npm run build -w @lynx/ui` first');
  const { default: esbuild } = await import(pathToFileURL(join(await packageDir('esbuild', serverDir), 'lib/main.js')).href);

  // Replaces an earlier bundle only: a mistyped --out must not wipe some other folder.
  if (existsSync(out) && (await readdir(out)).length && !existsSync(join(out, 'manifest.json'))) {
    throw new Error(`bundle: ${out} is not empty and holds no bundle (manifest.json): choose another --out`);
  }
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const externals = [...new Set([...externalPackages, ...(await locallyRequired(join(serverDir, 'src')))])];
  await runEsbuild(esbuild, out, externals, minify);
  const packages = await copyPackages(externals, out);
  for (const [name, folders] of Object.entries(relocatedAssets)) {
    const from = await packageDir(name, serverDir);
    for (const folder of folders) await cp(join(from, folder), join(out, 'vendor', name, folder), { recursive: true, dereference: true });
  }
  for (const provider of ['sqlite', 'postgresql']) {
    const from = join(serverDir, 'prisma', provider);
    await cp(join(from, 'migrations'), join(out, 'migrations', provider), { recursive: true, dereference: true });
    // The schema engine wants the datamodel beside the migrations when it applies them.
    await mkdir(join(out, 'schema', provider), { recursive: true });
    for (const name of ['schema.prisma', 'models.prisma']) await cp(join(from, name), join(out, 'schema', provider, name), { dereference: true });
  }
  await cp(uiDist, join(out, 'ui'), { recursive: true, filter: (f) => !f.endsWith('.map') });
  await writeFile(join(out, 'package.json'), `${JSON.stringify({ name: 'lynx-server', version, type: 'module', private: true }, null, 2)}\n`);
  const manifest = await writeManifest(out, { version });
  return { dir: out, manifest, packages, ms: Math.round(performance.now() - started) };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { out: { type: 'string' }, version: { type: 'string' }, 'no-minify': { type: 'boolean' } } });
  try {
    const { dir, manifest, packages, ms } = await buildBundle({ out: values.out, version: values.version, minify: !values['no-minify'] });
    let bytes = 0;
    for (const rel of Object.keys(manifest.files)) bytes += (await stat(join(dir, rel))).size;
    process.stdout.write(
      `lynx-server ${manifest.version} bundle in ${dir}: ${Object.keys(manifest.files).length} files, ` +
        `${(bytes / 1048576).toFixed(1)} MiB, ${ms} ms (external: ${packages.join(', ')})\n`,
    );
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
