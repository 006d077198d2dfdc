// Generates the Prisma clients without the CLI's native schema engine, which cannot be downloaded
// on site: generate only needs the engine path to exist (see stack notes).
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';

const require = createRequire(import.meta.url);
const cli = require.resolve('prisma/build/index.js');
const env = { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: '/bin/false', PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' };
// One client per provider, from the same models; side by side they take half the time.
await Promise.all(
  ['sqlite', 'postgresql'].map(async (provider) => {
    try {
      await promisify(execFile)(process.execPath, [cli, 'generate', '--schema', `prisma/${provider}`], { env });
    } catch (err) {
      process.stderr.write(`prisma generate (${provider}) failed:\n${err.stderr || err.message}\n`);
      process.exit(1);
    }
  }),
);
