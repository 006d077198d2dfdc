// The server's version (apps/server/package.json), for `--version`, backup manifests and the system screen.
import { readFileSync } from 'node:fs';

// True only inside the server bundle (esbuild `define`, scripts/bundle.mjs), whose package.json sits
// beside the entry; reading the file (not a built-in constant) lets a re-signed bundle change version.
declare const LYNX_BUNDLED: boolean | undefined;

let cached: string | undefined;

export function serverVersion(): string {
  if (cached === undefined) {
    try {
      // src/version.ts and dist/version.js both sit one level below the package.
      const where = typeof LYNX_BUNDLED !== 'undefined' && LYNX_BUNDLED ? './package.json' : '../package.json';
      cached = (JSON.parse(readFileSync(new URL(where, import.meta.url), 'utf8')) as { version?: string }).version ?? 'unknown';
    } catch {
      // An unusual layout: say so rather than fail a backup or the system screen.
      cached = 'unknown';
    }
  }
  return cached;
}
