// What the runtime reads from the AAM store: configured instances, the Lua of their version, and
// whether an instance already ran its onCreate (a `Setting` row, as EdgeAppInstance has no column
// for it). Kept here rather than borrowed from instances/ so the runtime needs no service to start.
import type { AamDb } from '../../../aam/store/open-store.js';
import type { EdgeAppInstanceRecord } from '../instances/repository.js';

/** The catalogue's instance row, read here without its service. */
export type RuntimeInstanceRecord = EdgeAppInstanceRecord;

const createdKey = (instanceId: number) => `edge_app.instance.${instanceId}.created`;

export class EdgeRuntimeRepository {
  constructor(private readonly db: AamDb) {}

  listAll(): Promise<RuntimeInstanceRecord[]> {
    return this.db.edgeAppInstance.findMany({ orderBy: { id: 'asc' } });
  }

  listForInstallation(installationId: number): Promise<RuntimeInstanceRecord[]> {
    return this.db.edgeAppInstance.findMany({ where: { installationId }, orderBy: { id: 'asc' } });
  }

  get(id: number): Promise<RuntimeInstanceRecord | null> {
    return this.db.edgeAppInstance.findUnique({ where: { id } });
  }

  /** The Lua source of a version given by release name or hash (a name wins, newest first). */
  async versionSource(appId: number, version: string): Promise<{ lua: string; json: string } | null> {
    const byName = version
      ? await this.db.edgeAppVersion.findFirst({ where: { appId, name: version }, orderBy: { timestamp: 'desc' }, select: { lua: true, json: true } })
      : null;
    return byName ?? (await this.db.edgeAppVersion.findUnique({ where: { appId_hash: { appId, hash: version } }, select: { lua: true, json: true } }));
  }

  async installationExists(installationId: number): Promise<boolean> {
    return (await this.db.installation.findUnique({ where: { id: installationId }, select: { id: true } })) !== null;
  }

  async wasCreated(instanceId: number): Promise<boolean> {
    return (await this.db.setting.findUnique({ where: { key: createdKey(instanceId) } })) !== null;
  }

  async markCreated(instanceId: number): Promise<void> {
    const key = createdKey(instanceId);
    await this.db.setting.upsert({ where: { key }, create: { key, value: '1' }, update: { value: '1' } });
  }

  async forget(instanceId: number): Promise<void> {
    await this.db.setting.deleteMany({ where: { key: createdKey(instanceId) } });
  }
}
