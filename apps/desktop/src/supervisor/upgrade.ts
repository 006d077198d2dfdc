// Installing a newer server version without risking the data: stop, back up with the OLD version's
// own backup command, switch, start the new version (it migrates its database at start). If it does
// not become healthy, restore the backup with the old version, switch back and start the old one.
import { rm } from 'node:fs/promises';
import { compareVersions, readManifest, type BundleInstall } from './bundle-install.js';
import type { UpgradeResult } from './types.js';

export class UpgradeError extends Error {
  constructor(
    message: string,
    readonly code: 'NOT_NEWER' | 'BACKUP_FAILED' | 'ROLLBACK_FAILED',
  ) {
    super(message);
  }
}

/** What the upgrade needs from the supervisor; every call runs while the supervisor holds its lock. */
export interface UpgradeHost {
  install: BundleInstall;
  isRunning(): boolean;
  stopServer(): Promise<void>;
  /** One start of the current version, without crash restarts: null when healthy, else why not. */
  tryStart(): Promise<string | null>;
  /** Start with the usual crash policy (after a rollback). */
  startServer(): Promise<void>;
  backupFile(from: string, to: string): string;
  /** Runs that version's `backup` / `restore` command on the (stopped) data folder. */
  backup(version: string, file: string): Promise<void>;
  restore(version: string, file: string): Promise<void>;
  note(line: string): void;
}

/** `keepRunning`: leave the server running afterwards even if it was stopped (an upgrade on start). */
export async function upgrade(host: UpgradeHost, bundleDir: string, opts: { keepRunning?: boolean } = {}): Promise<UpgradeResult> {
  const manifest = await readManifest(bundleDir);
  const to = manifest.version;
  const from = await host.install.current();
  if (from && compareVersions(to, from) <= 0) throw new UpgradeError(`server version ${to} is not newer than the installed ${from}`, 'NOT_NEWER');
  await host.install.install(bundleDir);
  if (!from) {
    await host.install.switchTo(to);
    host.note(`installed server ${to}`);
    return { from: null, to, outcome: 'upgraded' };
  }

  const wasRunning = host.isRunning() || opts.keepRunning === true;
  const previousBefore = await host.install.previous();
  // Stopped first, so the backup holds everything acknowledged up to the switch.
  await host.stopServer();
  const backupFile = host.backupFile(from, to);
  try {
    await host.backup(from, backupFile);
  } catch (err) {
    host.note(`upgrade to ${to} abandoned: the backup failed (${(err as Error).message})`);
    if (wasRunning) await host.startServer();
    throw new UpgradeError(`upgrade to ${to} abandoned, nothing was changed: ${(err as Error).message}`, 'BACKUP_FAILED');
  }

  host.note(`upgrading server ${from} -> ${to} (backup ${backupFile})`);
  await host.install.switchTo(to);
  const failure = await host.tryStart();
  if (failure === null) {
    if (!wasRunning) await host.stopServer();
    await host.install.prune();
    host.note(`upgraded server ${from} -> ${to}`);
    return { from, to, outcome: 'upgraded', backupFile };
  }

  host.note(`server ${to} did not start (${failure}); rolling back to ${from}`);
  await host.stopServer();
  try {
    await host.restore(from, backupFile);
  } catch (err) {
    // The data folder may hold the new version's migrated database: leave the new version current
    // rather than run the old one on data it does not know, and say so.
    throw new UpgradeError(`server ${to} failed (${failure}) and restoring the backup ${backupFile} failed too: ${(err as Error).message}`, 'ROLLBACK_FAILED');
  }
  await host.install.setPointers(from, previousBefore);
  await rm(host.install.versionDir(to), { recursive: true, force: true });
  if (wasRunning) await host.startServer();
  host.note(`rolled back to server ${from}`);
  return { from, to, outcome: 'rolled-back', reason: failure, backupFile };
}
