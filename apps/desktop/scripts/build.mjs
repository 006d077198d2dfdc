// Bundles the three Electron parts after tsc has type-checked them:
// - main: one ESM file, so the packaged app needs no node_modules (zod, the supervisor are inside);
// - preload: one CommonJS file, because a sandboxed preload can require nothing but 'electron';
// - renderer: one classic script plus its HTML and CSS, loadable under a CSP without inline code.
import { build } from 'esbuild';
import { cp, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'src');
const dist = path.join(root, 'dist');

await rm(dist, { recursive: true, force: true });
const common = { bundle: true, sourcemap: true, logLevel: 'warning', legalComments: 'none', external: ['electron'] };

await build({
  ...common,
  entryPoints: [path.join(src, 'main/main.ts')],
  outfile: path.join(dist, 'main/main.js'),
  platform: 'node',
  format: 'esm',
  // Electron 45 runs Node 22.
  target: 'node22',
  // Bundled CommonJS dependencies call require(): give the ESM bundle one.
  banner: { js: "import { createRequire as __lynxCreateRequire } from 'node:module'; const require = __lynxCreateRequire(import.meta.url);" },
});

await build({
  ...common,
  entryPoints: [path.join(src, 'preload/preload.ts')],
  outfile: path.join(dist, 'preload/preload.cjs'),
  platform: 'browser',
  format: 'cjs',
  target: 'chrome140',
});

await build({
  ...common,
  entryPoints: [path.join(src, 'renderer/renderer.ts')],
  outfile: path.join(dist, 'renderer/renderer.js'),
  platform: 'browser',
  format: 'iife',
  target: 'chrome140',
  // zod is most of it; the page loads from disk, but a tenth of the size still parses faster.
  minify: true,
  external: [],
});
await mkdir(path.join(dist, 'renderer'), { recursive: true });
for (const file of ['index.html', 'styles.css']) await cp(path.join(src, 'renderer', file), path.join(dist, 'renderer', file));
