// Where the shell's own files are, relative to the built main script (dist/main/main.js), and where
// the server bundle comes from: the packaged app's resources, or the repo's build in development.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DesktopPage } from './app-menu.js';

export interface ShellPaths {
  preload: string;
  rendererHtml: string;
  /** file:// URL of the renderer folder, with a trailing slash (navigation and CSP scope). */
  rendererRoot: string;
  /** The server bundle the supervisor installs from (contracts.md "Server bundle"). */
  bundleDir: string;
}

export function shellPaths(mainDir: string, opts: { packaged: boolean; resourcesPath: string; env: NodeJS.ProcessEnv }): ShellPaths {
  const dist = path.resolve(mainDir, '..');
  const renderer = path.join(dist, 'renderer');
  const bundleDir =
    opts.env.LYNX_DESKTOP_BUNDLE_DIR ||
    // electron-builder.yml copies apps/server/bundle to resources/server; in development use it in place.
    (opts.packaged ? path.join(opts.resourcesPath, 'server') : path.resolve(dist, '../../server/bundle'));
  return {
    preload: path.join(dist, 'preload', 'preload.cjs'),
    rendererHtml: path.join(renderer, 'index.html'),
    rendererRoot: pathToFileURL(renderer + path.sep).toString(),
    bundleDir,
  };
}

export function pageUrl(paths: ShellPaths, page: DesktopPage): string {
  return `${pathToFileURL(paths.rendererHtml).toString()}#${page}`;
}
