// Configured edge-app instances per installation over the AAM store.
import type { AamDb } from '../../../aam/store/open-store.js';

export interface EdgeAppInstanceRecord {
  id: number;
  appId: number;
  installationId: number;
  version: string;
  /** The JSON text of the configuration object. */
  config: string;
  name: string;
  created: number;
  updated: number;
}

export type EdgeAppInstanceFields = Pick<EdgeAppInstanceRecord, 'appId' | 'version' | 'config' | 'name'>;

export class EdgeAppInstancesRepository {
  constructor(private readonly db: AamDb) {}

  async list(installationId: number): Promise<EdgeAppInstanceRecord[]> {
    return this.db.edgeAppInstance.findMany({ where: { installationId }, orderBy: { id: 'asc' } });
  }

  async listAll(): Promise<EdgeAppInstanceRecord[]> {
    return this.db.edgeAppInstance.findMany({ orderBy: { id: 'asc' } });
  }

  async get(id: number): Promise<EdgeAppInstanceRecord | null> {
    return this.db.edgeAppInstance.findUnique({ where: { id } });
  }

  async installationsUsing(appId: number): Promise<number[]> {
    const rows = await this.db.edgeAppInstance.findMany({ where: { appId }, select: { installationId: true }, distinct: ['installationId'] });
    return rows.map((r) => r.installationId);
  }

  async create(installationId: number, fields: EdgeAppInstanceFields, now: number): Promise<EdgeAppInstanceRecord> {
    return this.db.edgeAppInstance.create({ data: { installationId, ...fields, created: now, updated: now } });
  }

  async update(id: number, fields: EdgeAppInstanceFields, updated: number): Promise<EdgeAppInstanceRecord> {
    return this.db.edgeAppInstance.update({ where: { id }, data: { ...fields, updated } });
  }

  async delete(installationId: number, id: number): Promise<boolean> {
    const { count } = await this.db.edgeAppInstance.deleteMany({ where: { id, installationId } });
    return count > 0;
  }
}
