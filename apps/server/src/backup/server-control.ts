// What the running server answers on its control socket: `ping`, `backup` of its own stores from
// live snapshots (system-backups.ts), and `shutdown`: the clean stop of SIGTERM, for supervisors on
// Windows, where a signal cannot be caught and would kill the server without flushing.
import { isAbsolute } from 'node:path';
import { startControlSocket, type ControlSocket } from './control-socket.js';
import { serverVersion } from '../version.js';
import type { SystemBackups } from './system-backups.js';

type LogFn = (obj: object, msg?: string) => void;

export interface ServerControlOptions {
  dataDir: string;
  backups: SystemBackups;
  logger: { info: LogFn; warn: LogFn; error: LogFn };
  /** Starts the same clean shutdown as SIGTERM; absent, `shutdown` is refused. */
  onShutdownRequest?: () => void;
}

export function startServerControl(opts: ServerControlOptions): Promise<ControlSocket> {
  return startControlSocket(
    opts.dataDir,
    async (request) => {
      switch (request.op) {
        case 'ping':
          return { ok: true, pid: process.pid, version: serverVersion() };
        case 'backup': {
          const file = request.file;
          if (typeof file !== 'string' || !isAbsolute(file)) return { ok: false, message: 'backup needs an absolute "file" path' };
          try {
            const result = await opts.backups.writeTo(file);
            opts.logger.info({ file: result.file, size: result.size }, 'backup written');
            return { ok: true, ...result };
          } catch (err) {
            opts.logger.warn({ err, file }, 'backup failed');
            return { ok: false, message: err instanceof Error ? err.message : String(err) };
          }
        }
        case 'shutdown': {
          const hook = opts.onShutdownRequest;
          if (!hook) return { ok: false, message: 'this server cannot be stopped through its control socket' };
          opts.logger.info({}, 'shutdown requested on the control socket');
          // After the reply is on its way: the shutdown closes this socket too.
          setImmediate(hook);
          return { ok: true };
        }
        default:
          return { ok: false, message: `unknown op ${JSON.stringify(request.op)}` };
      }
    },
    opts.logger,
  );
}
