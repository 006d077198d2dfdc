// Which Chromium the suite drives: Debian's /usr/bin/chromium when installed (CI installs it),
// otherwise Playwright's own build (`npm run install-browser -w @lynx/e2e` fetches it).
import { existsSync } from 'node:fs';

export const systemChromium = process.env.LYNX_E2E_CHROMIUM ?? '/usr/bin/chromium';

/** Flags that keep a headless Chromium in a container quiet and sandbox-free (see stack-notes). */
export const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export function chromiumExecutable(): string | undefined {
  return existsSync(systemChromium) ? systemChromium : undefined;
}
