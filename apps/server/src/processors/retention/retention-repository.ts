// The retention overrides in the `Setting` table (Installation has no column for them):
// key `installation.<id>.retention`, value the JSON text the service validates.
import type { AamDb } from '../../aam/store/open-store.js';

const PREFIX = 'installation.';
const SUFFIX = '.retention';
const keyOf = (installationId: number) => `${PREFIX}${installationId}${SUFFIX}`;

export class RetentionRepository {
  constructor(private readonly db: AamDb) {}

  async get(installationId: number): Promise<string | null> {
    return (await this.db.setting.findUnique({ where: { key: keyOf(installationId) } }))?.value ?? null;
  }

  async put(installationId: number, value: string): Promise<void> {
    const key = keyOf(installationId);
    await this.db.setting.upsert({ where: { key }, create: { key, value }, update: { value } });
  }

  async remove(installationId: number): Promise<void> {
    await this.db.setting.deleteMany({ where: { key: keyOf(installationId) } });
  }

  /** Every override as [installationId, JSON text]. */
  async all(): Promise<[number, string][]> {
    const rows = await this.db.setting.findMany({ where: { key: { startsWith: PREFIX, endsWith: SUFFIX } } });
    const out: [number, string][] = [];
    for (const row of rows) {
      const id = Number(row.key.slice(PREFIX.length, -SUFFIX.length));
      if (Number.isSafeInteger(id)) out.push([id, row.value]);
    }
    return out;
  }
}
