// manifest.json of a backup archive: what it holds, checksums of every entry, and the counts a
// restore compares the rebuilt stores with.
import { z } from 'zod';

export const BACKUP_FORMAT = 'lynx-backup';
export const BACKUP_FORMAT_VERSION = 1;
export const MANIFEST_NAME = 'manifest.json';
export const SQLITE_ENTRY = 'aam.sqlite';
export const POSTGRES_ENTRY = 'aam.pg.jsonl';
export const TSDB_ENTRY = 'tsdb.kv';
export const MQTT_ENTRY = 'mqtt.kv';

/** Blobs are content-addressed: files/<first 2 hex>/<sha256>. */
const blobPath = /^files\/([0-9a-f]{2})\/(\1[0-9a-f]{62})$/;

export function isEntryPath(path: string): boolean {
  return path === SQLITE_ENTRY || path === POSTGRES_ENTRY || path === TSDB_ENTRY || path === MQTT_ENTRY || blobPath.test(path);
}

export function isBlobPath(path: string): boolean {
  return blobPath.test(path);
}

const count = z.number().int().nonnegative();

const manifestSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  formatVersion: z.number().int().positive(),
  serverVersion: z.string(),
  createdAt: z.string(),
  live: z.boolean(),
  database: z.object({ provider: z.enum(['sqlite', 'postgresql']), migration: z.string().nullable() }),
  entries: z.array(z.object({ path: z.string().refine(isEntryPath, 'unexpected entry'), size: count, sha256: z.string().regex(/^[0-9a-f]{64}$/) })),
  counts: z.object({
    aamRows: z.record(z.string(), count),
    timeSeries: z.object({ series: count, points: count, pointsByInstallation: z.record(z.string(), count) }),
    broker: z.object({ keys: count }),
    files: count,
  }),
});

export type BackupManifest = z.infer<typeof manifestSchema>;
export type BackupCounts = BackupManifest['counts'];

/** Parses and checks a manifest; the message says what is wrong. */
export function parseManifest(text: string): BackupManifest {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error('manifest.json is not valid JSON');
  }
  const head = doc as { format?: unknown; formatVersion?: unknown } | null;
  if (head?.format !== BACKUP_FORMAT) throw new Error('not a Lynx backup (manifest.json has no "lynx-backup" format)');
  if (typeof head.formatVersion === 'number' && head.formatVersion > BACKUP_FORMAT_VERSION) {
    throw new Error(`backup format ${head.formatVersion} is newer than this server reads (${BACKUP_FORMAT_VERSION}); restore it with a newer server`);
  }
  const parsed = manifestSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`manifest.json is invalid at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const m = parsed.data;
  for (const required of [databaseEntry(m.database.provider), TSDB_ENTRY, MQTT_ENTRY]) {
    if (!m.entries.some((e) => e.path === required)) throw new Error(`manifest.json lists no ${required}`);
  }
  if (new Set(m.entries.map((e) => e.path)).size !== m.entries.length) throw new Error('manifest.json lists an entry twice');
  return m;
}

/** The entry holding the AAM for a database provider. */
export function databaseEntry(provider: 'sqlite' | 'postgresql'): string {
  return provider === 'sqlite' ? SQLITE_ENTRY : POSTGRES_ENTRY;
}

/** Total AAM rows of a count record. */
export function totalRows(rows: Record<string, number>): number {
  return Object.values(rows).reduce((a, b) => a + b, 0);
}

/** Differences between two count records, for error messages; empty when equal. */
export function countDifferences(label: string, expected: Record<string, number>, actual: Record<string, number>): string[] {
  const out: string[] = [];
  for (const key of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
    if ((expected[key] ?? 0) !== (actual[key] ?? 0)) out.push(`${label} ${key}: manifest ${expected[key] ?? 0}, archive ${actual[key] ?? 0}`);
  }
  return out;
}
