// `lynx-server backup <file>` and `lynx-server restore <file>`: the same configuration flags and
// environment as the server, so they find the same stores. A running server is asked through its
// control socket; a stopped one's stores are opened here. Both print one line; errors exit 1.
import { resolve } from 'node:path';
import { BackupService, offlineSources, type BackupResult, type RestoreResult } from '../backup/backup-service.js';
import { askControlSocket } from '../backup/control-socket.js';
import { DataFolderInUseError } from '../backup/level-kv.js';
import { totalRows } from '../backup/manifest.js';
import { serverVersion } from '../version.js';
import { ConfigError, loadConfig } from '../config/load-config.js';
import type { ServerConfig } from '../config/schema.js';

const BOOLEAN_FLAGS = new Set(['-h', '--help', '-v', '--version']);

/** Appended to `lynx-server --help`. */
export const commandsHelp = [
  'Commands (same options):',
  '  backup <file.tar.gz>       write a backup of the data folder (server running or stopped)',
  '  restore <file.tar.gz>      replace the data folder\'s stores with a verified backup (server stopped)',
].join('\n');

function usage(command: string): string {
  return command === 'backup'
    ? 'Usage: lynx-server backup <file.tar.gz> [--data-dir D] [--database-url U] [--config F]\n' +
        'Writes a backup of the data folder (while the server runs, or with it stopped).'
    : 'Usage: lynx-server restore <file.tar.gz> [--data-dir D] [--database-url U] [--config F]\n' +
        'Replaces the stores of the data folder with a verified backup; the server must be stopped.';
}

/** The one positional argument (the archive) and the rest for loadConfig; every config flag takes a value. */
function splitArgs(args: string[]): { file?: string; extra: string[]; rest: string[] } {
  const positional: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') positional.push(a);
    else if (a.includes('=') || BOOLEAN_FLAGS.has(a)) rest.push(a);
    else rest.push(a, ...(i + 1 < args.length ? [args[++i]] : []));
  }
  return { file: positional[0], extra: positional.slice(1), rest };
}

function summary(counts: BackupResult['counts']): string {
  return (
    `${totalRows(counts.aamRows)} AAM rows, ${counts.timeSeries.points} time-series points in ${counts.timeSeries.series} series, ` +
    `${counts.broker.keys} broker keys, ${counts.files} files`
  );
}

async function backup(file: string, config: ServerConfig): Promise<BackupResult> {
  const reply = await askControlSocket(config.dataDir, { op: 'backup', file });
  if (reply) return reply as unknown as BackupResult;
  try {
    return await new BackupService({ serverVersion: serverVersion() }).backup(file, offlineSources(config));
  } catch (err) {
    if (err instanceof DataFolderInUseError) {
      throw new Error(`the data folder ${config.dataDir} is in use by a server that does not answer on its control socket`);
    }
    throw err;
  }
}

async function restore(file: string, config: ServerConfig): Promise<RestoreResult> {
  let running: Record<string, unknown> | null;
  try {
    running = await askControlSocket(config.dataDir, { op: 'ping' });
  } catch (err) {
    throw new Error(`cannot tell whether a server runs on ${config.dataDir} (${(err as Error).message}); stop it before restoring`);
  }
  if (running) throw new Error(`a server is running on ${config.dataDir}${typeof running.pid === 'number' ? ` (pid ${running.pid})` : ''}: stop it before restoring`);
  try {
    return await new BackupService({ serverVersion: serverVersion() }).restore(file, config);
  } catch (err) {
    if (err instanceof DataFolderInUseError) throw new Error(`the data folder ${config.dataDir} is in use by a running server: stop it before restoring`);
    throw err;
  }
}

/** Runs `backup` or `restore` (args[0]); returns the exit code. */
export async function runBackupCommand(args: string[], cwd = process.cwd()): Promise<number> {
  const command = args[0];
  const { file, extra, rest } = splitArgs(args.slice(1));
  let config: ServerConfig;
  try {
    const loaded = loadConfig(rest, process.env, cwd);
    if (loaded.help) {
      process.stdout.write(`${usage(command)}\n`);
      return 0;
    }
    config = loaded.config;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`lynx-server: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (!file || extra.length) {
    process.stderr.write(`lynx-server: ${command} takes one archive file\n${usage(command)}\n`);
    return 2;
  }
  const path = resolve(cwd, file);
  try {
    if (command === 'backup') {
      const r = await backup(path, config);
      process.stdout.write(`lynx-server backup ${r.file} ${r.size} bytes (${r.live ? 'server running' : 'server stopped'}): ${summary(r.counts)}\n`);
    } else {
      const r = await restore(path, config);
      process.stdout.write(`lynx-server restored ${r.file} (made ${r.createdAt} by ${r.serverVersion}) into ${r.dataDir}: ${summary(r.counts)}\n`);
    }
    return 0;
  } catch (err) {
    process.stderr.write(`lynx-server: ${command} failed: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
