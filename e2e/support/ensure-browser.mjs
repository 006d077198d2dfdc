// Installs Playwright's Chromium when no system Chromium exists (where the internet is reachable).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const system = process.env.LYNX_E2E_CHROMIUM ?? '/usr/bin/chromium';
if (existsSync(system)) {
  console.log(`using ${system}`);
} else {
  execFileSync('npx', ['playwright', 'install', 'chromium'], { stdio: 'inherit' });
}
