// Browser tests of the admin UI against the real built server (global-setup.ts starts it).
import { defineConfig } from '@playwright/test';
import { chromiumArgs, chromiumExecutable } from './support/browser.js';

export default defineConfig({
  testDir: './tests',
  globalSetup: './global-setup.ts',
  // One server, one browser at a time: the machine has two cores and the flows share data.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  outputDir: './artifacts/test-results',
  reporter: [['list'], ['html', { outputFolder: './artifacts/report', open: 'never' }]],
  use: {
    browserName: 'chromium',
    viewport: { width: 1280, height: 720 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: { executablePath: chromiumExecutable(), args: chromiumArgs },
  },
});
