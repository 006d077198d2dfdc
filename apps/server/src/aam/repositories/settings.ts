// Server-side key/value facts that have no column of their own (markers of built-in roles,
// pending password resets).
import type { AamDb } from '../store/open-store.js';

export class SettingsRepository {
  constructor(private readonly db: AamDb) {}

  async get(key: string): Promise<string | null> {
    return (await this.db.setting.findUnique({ where: { key } }))?.value ?? null;
  }

  async set(key: string, value: string): Promise<void> {
    await this.db.setting.upsert({ where: { key }, create: { key, value }, update: { value } });
  }

  async setMany(entries: readonly { key: string; value: string }[]): Promise<void> {
    if (entries.length === 0) return;
    await this.db.$transaction(entries.map(({ key, value }) => this.db.setting.upsert({ where: { key }, create: { key, value }, update: { value } })));
  }

  async delete(key: string): Promise<void> {
    await this.db.setting.deleteMany({ where: { key } });
  }

  async withPrefix(prefix: string): Promise<{ key: string; value: string }[]> {
    return this.db.setting.findMany({ where: { key: { startsWith: prefix } }, orderBy: { key: 'asc' } });
  }
}
