// The system screen: version, uptime, broker figures, disk use of the data dir's parts and recent
// log lines. Server-wide facts, so only for callers with a system-wide right.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ServerLogLine, SystemInfo } from '@lynx/shared';
import { ForbiddenError } from '../aam/errors.js';
import type { Principal } from '../aam/principal.js';
import { serverVersion } from '../version.js';
import type { LogRing } from './log-ring.js';

/** Held by the root organization's admin, not by organization admins (a system-wide key). */
export const systemPermission = 'trace/list/system';

export interface SystemServiceOptions {
  dataDir: string;
  databaseUrl: string;
  broker: () => { connections: number; received: number; serverPublished: number } | undefined;
  logs: LogRing;
  startedMs?: number;
  nowMs?: () => number;
}

/** Bytes of the files below `path`; 0 when it does not exist. */
export async function diskUsage(path: string): Promise<number> {
  let info;
  try {
    info = await stat(path);
  } catch {
    return 0;
  }
  if (!info.isDirectory()) return info.size;
  let total = 0;
  const entries = await readdir(path, { withFileTypes: true }).catch(() => []);
  for (const e of entries) total += await diskUsage(join(path, e.name));
  return total;
}

export class SystemService {
  private readonly version = serverVersion();
  private readonly startedMs: number;
  private readonly nowMs: () => number;

  constructor(private readonly opts: SystemServiceOptions) {
    this.startedMs = opts.startedMs ?? Date.now();
    this.nowMs = opts.nowMs ?? (() => Date.now());
  }

  async info(p: Principal): Promise<SystemInfo> {
    requireSystem(p);
    const dir = this.opts.dataDir;
    const sqlite = this.opts.databaseUrl.startsWith('file:') ? this.opts.databaseUrl.slice('file:'.length) : null;
    const [aamDb, wal, tsdb, mqtt, files] = await Promise.all([
      sqlite ? diskUsage(sqlite) : null,
      sqlite ? diskUsage(`${sqlite}-wal`) : 0,
      diskUsage(join(dir, 'tsdb')),
      diskUsage(join(dir, 'mqtt')),
      diskUsage(join(dir, 'files')),
    ]);
    const broker = this.opts.broker();
    return {
      version: this.version,
      node_version: process.version,
      uptime: Math.max(0, (this.nowMs() - this.startedMs) / 1000),
      started: Math.floor(this.startedMs / 1000),
      broker: { clients: broker?.connections ?? 0, received: broker?.received ?? 0, server_published: broker?.serverPublished ?? 0 },
      storage: { aam_db: aamDb === null ? null : aamDb + (wal ?? 0), tsdb, mqtt, files },
      data_dir: dir,
      // The PostgreSQL URL may carry a password: only its kind is shown.
      database: sqlite ? `sqlite ${sqlite}` : 'postgresql',
    };
  }

  logs(p: Principal, limit: number, minLevel?: string): ServerLogLine[] {
    requireSystem(p);
    return this.opts.logs.recent(limit, minLevel);
  }
}

function requireSystem(p: Principal): void {
  if (!p.permissions.has(systemPermission)) throw new ForbiddenError(`missing permission ${systemPermission} (server administrators only)`);
}
