// The running server's backups: to a path the control socket names (whoever may open the data
// folder may ask), and for server administrators (tRPC `system.backup`) into <dataDir>/backups/.
import { join } from 'node:path';
import { ForbiddenError } from '../aam/errors.js';
import type { Principal } from '../aam/principal.js';
import { brokerSnapshot } from '../bus/persistence.js';
import { systemPermission } from '../monitoring/system-service.js';
import { BackupService, type BackupResult, type BackupSources } from './backup-service.js';
import type { KvSnapshot } from './kv-stream.js';
import { serverVersion } from '../version.js';

export interface SystemBackupsOptions {
  dataDir: string;
  databaseUrl: string;
  /** The time-series store; its snapshot is taken in its write queue. */
  tsdb: { snapshot(): Promise<KvSnapshot> };
}

export class SystemBackups {
  private readonly service = new BackupService({ serverVersion: serverVersion() });
  private readonly sources: BackupSources;

  constructor(private readonly opts: SystemBackupsOptions) {
    this.sources = {
      live: true,
      databaseUrl: opts.databaseUrl,
      tsdb: () => opts.tsdb.snapshot(),
      mqtt: async () => {
        const snap = brokerSnapshot(opts.dataDir);
        if (!snap) throw new Error('the MQTT broker is not running');
        return snap;
      },
      filesDir: join(opts.dataDir, 'files'),
    };
  }

  /** For the control socket: its caller could read the data folder anyway. */
  writeTo(file: string): Promise<BackupResult> {
    return this.service.backup(file, this.sources);
  }

  /** Server administrators: a new archive in <dataDir>/backups/. */
  async create(p: Principal): Promise<BackupResult> {
    if (!p.permissions.has(systemPermission)) throw new ForbiddenError(`missing permission ${systemPermission} (server administrators only)`);
    const dir = join(this.opts.dataDir, 'backups');
    const name = `lynx-backup-${new Date().toISOString().replace(/[:.]/g, '-')}.tar.gz`;
    return this.service.backup(join(dir, name), this.sources);
  }
}
