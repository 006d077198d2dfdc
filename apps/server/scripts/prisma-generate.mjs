// Generates the Prisma clients without the CLI's native schema engine, which cannot be downloaded
// on site: generate only needs the engine path to exist (see stack notes).
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const cli = require.resolve('prisma/build/index.js');
const env = { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: '/bin/false', PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' };
for (const provider of ['sqlite']) {
  execFileSync(process.execPath, [cli, 'generate', '--schema', `prisma/${provider}`], { env, stdio: ['ignore', 'ignore', 'inherit'] });
}
