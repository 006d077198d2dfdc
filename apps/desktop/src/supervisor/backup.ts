// Backup and restore go through the installed bundle's own `backup` / `restore` commands as child
// processes: the server version that wrote the data is the one that knows how to read it, and the
// supervisor never imports server code.
import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { serverCommand } from './server-process.js';
import type { DesktopSettings } from './types.js';

export class BundleCommandError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly exitCode: number | null,
    readonly output: string[],
  ) {
    super(message);
  }
}

export interface BundleCommandOptions {
  bundleDir: string;
  entry: string;
  settings: DesktopSettings;
  nodePath: string;
  extraEnv?: Record<string, string>;
  timeoutMs: number;
  /** Every output line, for the log file. */
  onLine?: (line: string) => void;
}

/** Runs `server.mjs <command> <file> --data-dir ...`; resolves with its output, rejects with its one-line reason. */
export function runBundleCommand(command: 'backup' | 'restore', file: string, opts: BundleCommandOptions): Promise<string[]> {
  const { args, env } = serverCommand({ ...opts });
  // Same data folder and database as the server; listen flags mean nothing to these commands.
  const cliArgs = [args[0], command, file, '--data-dir', opts.settings.dataDir];
  return new Promise((resolve, reject) => {
    const child = spawn(opts.nodePath, cliArgs, { env, cwd: opts.settings.dataDir, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    const output: string[] = [];
    const take = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        output.push(line);
        opts.onLine?.(line);
      }
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new BundleCommandError(`cannot run the server's ${command} command: ${err.message}`, 'COMMAND_FAILED', null, output));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve(output);
      const own = [...output].reverse().find((l) => l.startsWith('lynx-server: '));
      // The server's own line already reads "backup failed: <reason>"; older bundles may say only the reason.
      const why = own ? own.slice('lynx-server: '.length).replace(new RegExp(`^${command} failed: `), '') : signal ? `killed by ${signal}${signal === 'SIGKILL' ? ` after ${Math.round(opts.timeoutMs / 1000)} s` : ''}` : `exit code ${code}`;
      reject(new BundleCommandError(`${command} failed: ${why}`, command === 'backup' ? 'BACKUP_FAILED' : 'RESTORE_FAILED', code, output));
    });
  });
}

export function defaultBackupFile(dataDir: string, label = 'lynx'): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return join(dataDir, 'backups', `${label}-${stamp}.tar.gz`);
}

export async function backupWith(file: string, opts: BundleCommandOptions): Promise<{ file: string; bytes: number }> {
  await runBundleCommand('backup', file, opts);
  const { size } = await stat(file);
  return { file, bytes: size };
}

export async function restoreWith(file: string, opts: BundleCommandOptions): Promise<void> {
  await stat(file).catch(() => {
    throw new BundleCommandError(`restore failed: no backup file at ${file}`, 'RESTORE_FAILED', null, []);
  });
  await runBundleCommand('restore', file, opts);
}
