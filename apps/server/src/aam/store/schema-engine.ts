// Runs Prisma's schema engine from its WebAssembly build through our driver adapter, so migrations
// apply on a machine with no native Prisma engine binaries (none can be downloaded on site).
import { readFile, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';

const require = createRequire(import.meta.url);

interface WasmSchemaEngine {
  applyMigrations(input: unknown): Promise<{ appliedMigrationNames: string[] }>;
  diff(input: unknown): Promise<{ exitCode: number; stdout: string | null }>;
  free(): void;
}

type EngineModule = { SchemaEngine: { new: (o: never, cb: (s: string) => void, a: object) => Promise<WasmSchemaEngine> } };
let engineModule: Promise<EngineModule> | undefined;

/** Instantiates the wasm by hand: a plain import of a .wasm module needs a Node flag on Node 20. */
function loadEngineModule(): Promise<EngineModule> {
  engineModule ??= (async (): Promise<EngineModule> => {
    const bgPath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const bg = await import('@prisma/schema-engine-wasm/schema_engine_bg');
    const bytes = await readFile(join(dirname(bgPath), 'schema_engine_bg.wasm'));
    // The DOM lib is not loaded for server code, so reach WebAssembly through globalThis.
    const wasm = (globalThis as unknown as { WebAssembly: { instantiate(b: Uint8Array, i: object): Promise<{ instance: { exports: Record<string, unknown> } }> } }).WebAssembly;
    const { instance } = await wasm.instantiate(bytes, { './schema_engine_bg.js': bg });
    bg.__wbg_set_wasm(instance.exports as never);
    (instance.exports as { __wbindgen_start?: () => void }).__wbindgen_start?.();
    return bg as unknown as EngineModule;
  })();
  return engineModule;
}

export interface MigrationSet {
  /** Folder holding `<timestamp>_<name>/migration.sql` entries and `migration_lock.toml`. */
  dir: string;
  /** Prisma schema files (path, text) of the provider, as the engine wants them. */
  schemaFiles: [string, string][];
}

let opens = 0;

/** How many times this process opened the engine: start-up on an up-to-date database must not. */
export function schemaEngineOpens(): number {
  return opens;
}

/**
 * Opens the engine on connections it gets from `adapterFactory`. `free()` on the engine does not
 * close them (SQLite would stay locked), so the returned `close` disposes every connection it made.
 */
export async function openSchemaEngine(schemaFiles: [string, string][], adapterFactory: SqlMigrationAwareDriverAdapterFactory, log: (line: string) => void = () => {}) {
  opens++;
  const mod = await loadEngineModule();
  const opened: { dispose(): Promise<void> }[] = [];
  const tracking: SqlMigrationAwareDriverAdapterFactory = {
    provider: adapterFactory.provider,
    adapterName: adapterFactory.adapterName,
    connect: async () => {
      const adapter = await adapterFactory.connect();
      opened.push(adapter);
      return adapter;
    },
    connectToShadowDb: async () => {
      const adapter = await adapterFactory.connectToShadowDb();
      opened.push(adapter);
      return adapter;
    },
  };
  const engine = await mod.SchemaEngine.new({ datamodels: schemaFiles } as never, log, bindMigrationAwareSqlAdapterFactory(tracking));
  return {
    engine,
    async close() {
      engine.free();
      await Promise.all(opened.map((a) => a.dispose().catch(() => {})));
    },
  };
}

export async function readMigrationList(dir: string) {
  const entries = (await readdir(dir, { withFileTypes: true }).catch(() => []))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const migrationDirectories = await Promise.all(
    entries.map(async (name) => {
      const path = join(dir, name, 'migration.sql');
      const content = await readFile(path, 'utf8');
      return { path: name, migrationFile: { path: 'migration.sql', content: { tag: 'ok', value: content } } };
    }),
  );
  const lockPath = join(dir, 'migration_lock.toml');
  const lockContent = await readFile(lockPath, 'utf8').catch(() => null);
  return {
    baseDir: dir,
    lockfile: { path: 'migration_lock.toml', content: lockContent },
    shadowDbInitScript: '',
    migrationDirectories,
  };
}

const noFilters = { externalTables: [], externalEnums: [] };

/** Applies every committed migration not yet recorded in the database; returns their names. */
export async function applyMigrations(set: MigrationSet, adapterFactory: SqlMigrationAwareDriverAdapterFactory): Promise<string[]> {
  const { engine, close } = await openSchemaEngine(set.schemaFiles, adapterFactory);
  try {
    const migrationsList = await readMigrationList(set.dir);
    const result = await engine.applyMigrations({ migrationsList, filters: noFilters });
    return result.appliedMigrationNames;
  } finally {
    await close();
  }
}

/** SQL that takes a database from the `from` datamodel to the `to` one (no database needed). */
export async function diffSchemas(from: [string, string][] | null, to: [string, string][], adapterFactory: SqlMigrationAwareDriverAdapterFactory): Promise<string> {
  const { engine, close } = await openSchemaEngine(to, adapterFactory);
  try {
    const asTarget = (files: [string, string][]) => ({ tag: 'schemaDatamodel', files: files.map(([path, content]) => ({ path, content })) });
    const result = await engine.diff({
      from: from ? asTarget(from) : { tag: 'empty' },
      to: asTarget(to),
      script: true,
      exitCode: null,
      filters: noFilters,
    });
    return result.stdout ?? '';
  } finally {
    await close();
  }
}
