import type { AamDb } from '../store/open-store.js';

export interface RoleRecord {
  id: number;
  name: string;
  priority: number;
  permissions: Record<string, boolean>;
}

function toRecord(row: { id: number; name: string; priority: number; permissions: string }): RoleRecord {
  return { id: row.id, name: row.name, priority: row.priority, permissions: JSON.parse(row.permissions) as Record<string, boolean> };
}

export class RolesRepository {
  constructor(private readonly db: AamDb) {}

  async get(id: number): Promise<RoleRecord | null> {
    const row = await this.db.role.findUnique({ where: { id } });
    return row ? toRecord(row) : null;
  }

  async findByName(name: string): Promise<RoleRecord | null> {
    const row = await this.db.role.findUnique({ where: { name } });
    return row ? toRecord(row) : null;
  }

  async list(): Promise<RoleRecord[]> {
    return (await this.db.role.findMany({ orderBy: { id: 'asc' } })).map(toRecord);
  }

  async create(role: Omit<RoleRecord, 'id'>, now: number): Promise<RoleRecord> {
    const row = await this.db.role.create({
      data: { name: role.name, priority: role.priority, permissions: JSON.stringify(role.permissions), created: now, updated: now },
    });
    return toRecord(row);
  }

  async update(id: number, changes: Partial<Omit<RoleRecord, 'id'>>, now: number): Promise<RoleRecord> {
    const { permissions, ...fields } = changes;
    const row = await this.db.role.update({
      where: { id },
      data: { ...fields, ...(permissions && { permissions: JSON.stringify(permissions) }), updated: now },
    });
    return toRecord(row);
  }

  async delete(id: number): Promise<boolean> {
    const { count } = await this.db.role.deleteMany({ where: { id } });
    return count > 0;
  }

  /** Users holding the role, and so affected by any change to it. */
  async holderIds(id: number): Promise<number[]> {
    return (await this.db.user.findMany({ where: { roleId: id }, select: { id: true }, orderBy: { id: 'asc' } })).map((u) => u.id);
  }
}
