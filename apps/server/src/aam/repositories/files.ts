// Stored file metadata (StoredFile); the bytes live in the blob store, named by hash.
import type { AamDb } from '../store/open-store.js';

export interface StoredFileRecord {
  id: number;
  hash: string;
  name: string;
  mime: string;
  size: number;
  installationId: number | null;
  organizationId: number | null;
  created: number;
  updated: number;
}

export type FileOwner = { installationId: number } | { organizationId: number };
export type FileContent = Pick<StoredFileRecord, 'hash' | 'name' | 'mime' | 'size'>;

function ownerWhere(owner: FileOwner) {
  return 'installationId' in owner ? { installationId: owner.installationId } : { organizationId: owner.organizationId };
}

export class FilesRepository {
  constructor(private readonly db: AamDb) {}

  async list(owner: FileOwner): Promise<StoredFileRecord[]> {
    return this.db.storedFile.findMany({ where: ownerWhere(owner), orderBy: { id: 'asc' } });
  }

  async get(owner: FileOwner, id: number): Promise<StoredFileRecord | null> {
    return this.db.storedFile.findFirst({ where: { id, ...ownerWhere(owner) } });
  }

  async byHash(hash: string): Promise<StoredFileRecord[]> {
    return this.db.storedFile.findMany({ where: { hash }, orderBy: { id: 'asc' } });
  }

  async countByHash(hash: string): Promise<number> {
    return this.db.storedFile.count({ where: { hash } });
  }

  async allHashes(): Promise<Set<string>> {
    const rows = await this.db.storedFile.findMany({ select: { hash: true }, distinct: ['hash'] });
    return new Set(rows.map((r) => r.hash));
  }

  async create(owner: FileOwner, content: FileContent, now: number): Promise<StoredFileRecord> {
    return this.db.storedFile.create({ data: { ...content, ...ownerWhere(owner), created: now, updated: now } });
  }

  async replace(id: number, content: FileContent, updated: number): Promise<StoredFileRecord> {
    return this.db.storedFile.update({ where: { id }, data: { ...content, updated } });
  }

  async delete(id: number): Promise<boolean> {
    const { count } = await this.db.storedFile.deleteMany({ where: { id } });
    return count > 0;
  }
}
