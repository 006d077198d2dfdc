import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';
import { redactDatabaseUrl } from './apps/server/src/aam/store/postgres-adapter.js';
import { newRunId, postgresAdminUrl, probePostgres } from './apps/server/src/aam/store/test-helpers.js';

// One runner for the whole repo: unit specs sit next to their code (*.spec.ts), integration tests
// that start the real server live in apps/server/test. Everything runs on SQLite ("sqlite"
// project); the AAM and API specs and the server tests run a second time on PostgreSQL ("postgres").
const everything = ['packages/*/src/**/*.spec.ts', 'apps/*/src/**/*.spec.ts', 'apps/*/test/**/*.test.ts'];
const onTheDatabase = ['apps/server/src/aam/**/*.spec.ts', 'apps/server/src/api/**/*.spec.ts', 'apps/server/test/**/*.test.ts'];
// What does not exercise the AAM's SQL runs once, on SQLite: the CLI's configuration handling,
// shutdown/restart durability, the edge runtime and retention (time series), the server bundle and
// backups. Their SQL goes through the same repositories the PostgreSQL run already covers.
const notOnPostgres = ['apps/server/test/{cli,shutdown,restart,retention,edge-runtime,bundle,backup}.test.ts'];
// Cluster tests need PostgreSQL and Redis whatever the project: they run once, in the postgres one.
const clusterOnly = ['apps/server/test/cluster*.test.ts'];

/** Null when the test server answers, else why not. */
async function postgresUnreachable(): Promise<string | null> {
  const redactedUrl = redactDatabaseUrl(postgresAdminUrl());
  const unreachable = await probePostgres();
  if (unreachable && process.env.CI) {
    throw new Error(`PostgreSQL at ${redactedUrl} is unreachable (${unreachable}); CI runs every test on it (LYNX_TEST_POSTGRES_URL sets another server)`);
  }
  if (unreachable) {
    // A fresh dev machine may have no PostgreSQL; CI (CI set) fails above instead.
    console.warn(`postgres project skipped: PostgreSQL at ${redactedUrl} is unreachable (${unreachable}); set LYNX_TEST_POSTGRES_URL or start PostgreSQL`);
  } else {
    // Shared with the workers, so the global teardown can sweep this run's leftover databases.
    process.env.LYNX_TEST_RUN_ID ||= newRunId();
  }
  return unreachable;
}

// Vitest evaluates this file again for every project that extends it: probe (and warn) once.
const probeOnce = globalThis as { lynxPostgresProbe?: Promise<string | null> };

export default defineConfig(async () => {
  const unreachable = await (probeOnce.lynxPostgresProbe ??= postgresUnreachable());
  return {
    test: {
      testTimeout: 60_000,
      hookTimeout: 60_000,
      pool: 'forks',
      // Most server tests wait on a child server process, so one worker per core leaves cores idle;
      // Vitest's default (cores - 1) ran the suite serially on two cores.
      maxWorkers: Math.max(2, availableParallelism()),
      reporters: ['default'],
      projects: [
        { extends: true, test: { name: 'sqlite', include: everything, exclude: [...configDefaults.exclude, 'apps/ui/**', ...clusterOnly], env: { LYNX_TEST_DB: 'sqlite' } } },
        // The admin UI's component logic, in a DOM; shared schemas from source as the UI build uses them.
        {
          extends: true,
          resolve: { alias: { '@lynx/shared': fileURLToPath(new URL('./packages/shared/src/index.ts', import.meta.url)) } },
          test: { name: 'ui', environment: 'jsdom', include: ['apps/ui/src/**/*.spec.{ts,tsx}'], setupFiles: ['apps/ui/src/test-setup.ts'] },
        },
        ...(unreachable
          ? []
          : [
              {
                extends: true,
                test: {
                  name: 'postgres',
                  include: onTheDatabase,
                  exclude: [...configDefaults.exclude, ...notOnPostgres],
                  env: { LYNX_TEST_DB: 'postgres' },
                  globalSetup: ['apps/server/test/postgres-global-setup.ts'],
                },
              },
            ]),
      ],
    },
  };
});
