// `npm run db:migrate -- <name>`: writes a new migration from the difference between the schema
// saved with the last migration and the current models. No database and no shadow database are
// needed, which is what makes this work without Prisma's native engine (see stack notes).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { prismaDir, schemaFiles } from './open-store.js';
import { diffSchemas } from './schema-engine.js';

// Not .prisma: the CLI reads every .prisma file under the schema folder, migrations included.
const snapshotName = 'schema-snapshot.txt';

export async function createMigration(name: string, provider: 'sqlite' = 'sqlite'): Promise<string | null> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error('migration name must be lower-case letters, digits and underscores');
  const dir = join(prismaDir, provider, 'migrations');
  const current = await schemaFiles(provider);
  const previousText = await readFile(join(dir, snapshotName), 'utf8').catch(() => null);
  const previous: [string, string][] | null = previousText === null ? null : [[join(dir, snapshotName), previousText]];
  const factory = new PrismaBetterSqlite3({ url: ':memory:' });
  const sql = await diffSchemas(previous, current, factory);
  if (!sql.trim() || /^-- This is an empty migration/.test(sql.trim())) return null;
  const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const folder = join(dir, `${stamp}_${name}`);
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'migration.sql'), sql);
  await writeFile(join(dir, 'migration_lock.toml'), `# Written by npm run db:migrate; do not edit.\nprovider = "${provider}"\n`);
  // The snapshot is the datamodel this migration leads to: the next diff starts from it.
  await writeFile(join(dir, snapshotName), current.map(([, text]) => text).join('\n'));
  return folder;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const name = process.argv[2];
  if (!name) {
    console.error('usage: npm run db:migrate -- <migration_name>');
    process.exit(2);
  }
  createMigration(name).then(
    (folder) => console.log(folder ? `created ${folder}` : 'schema unchanged: no migration written'),
    (err) => {
      console.error(`db:migrate failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
