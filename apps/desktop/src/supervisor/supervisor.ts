// The supervisor: installs, starts, watches and upgrades the server bundle on this computer, and is
// all the Electron shell talks to (SupervisorApi). Plain Node, no Electron: tested for real.
//
// Every operation that changes what runs (start, stop, restart, restore, upgrade, settings, crash
// recovery) takes one lock, so they never interleave; stop() also cancels a start or a pending
// crash restart at once instead of waiting behind it.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { backupWith, defaultBackupFile, restoreWith, type BundleCommandOptions } from './backup.js';
import { BundleInstall, compareVersions, readManifest } from './bundle-install.js';
import { CrashPolicy, defaultCrashPolicy, type CrashPolicyOptions } from './crash-policy.js';
import { runDiagnostics } from './diagnostics.js';
import { defaultLogOptions, RotatingLog, type LogOptions } from './log-files.js';
import { clearPid, reapOrphan, writePid } from './orphan.js';
import { dataFolderProblem, preflight } from './preflight.js';
import { ServerProcess, StartFailure } from './server-process.js';
import { defaultSettings, SettingsError, SettingsStore, validateSettings } from './settings-store.js';
import type { BackupResult, DesktopSettings, Diagnostic, ServerStatus, SupervisorApi, UpgradeResult } from './types.js';
import { upgrade, type UpgradeHost } from './upgrade.js';

export interface SupervisorOptions {
  /** The app's config folder (settings.json). */
  configDir: string;
  /** The data folder the wizard proposes before the first run. */
  defaultDataDir?: string;
  /** The bundle shipped with the app (Electron: `process.resourcesPath/server`), installed on first run. */
  bundleSource?: string;
  /** Runs server.mjs; default this process's executable (Electron runs it as Node through ELECTRON_RUN_AS_NODE). */
  nodePath?: string;
  /** Extra environment for the server (e.g. LYNX_LOG_LEVEL). */
  extraEnv?: Record<string, string>;
  crashPolicy?: Partial<CrashPolicyOptions>;
  readyTimeoutMs?: number;
  stopTimeoutMs?: number;
  /** Time allowed to a backup or restore command. */
  commandTimeoutMs?: number;
  log?: Partial<LogOptions>;
  /** Output lines kept for a failure report. */
  keepLines?: number;
  /** Free space below which the disk diagnostic fails. */
  minFreeBytes?: number;
}

function firstStartMarker(configDir: string): string {
  return join(configDir, 'first-start-done');
}

const serverKeys = ['dataDir', 'httpPort', 'mqttPort', 'host', 'database', 'adminEmail'] as const;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

type Failure = { reason: string; exitCode: number | null; lastLines: string[]; permanent: boolean; state?: 'not-installed' };

export class Supervisor implements SupervisorApi {
  private saved: DesktopSettings | null;
  private install: BundleInstall;
  private log: RotatingLog;
  private proc: ServerProcess | null = null;
  private current: ServerStatus;
  private readonly listeners = new Set<(status: ServerStatus) => void>();
  private readonly policy: CrashPolicy;
  private lock: Promise<unknown> = Promise.resolve();
  private abort = new AbortController();
  /** The admin password of the first run, kept in memory only until a start succeeded. */
  private pendingPassword: string | undefined;
  private readonly opts: Required<Omit<SupervisorOptions, 'bundleSource' | 'defaultDataDir' | 'extraEnv' | 'crashPolicy' | 'log'>> & SupervisorOptions;
  private readonly store: SettingsStore;

  private constructor(
    options: SupervisorOptions,
    saved: DesktopSettings | null,
    version: string | null,
    /** Whether a server ever started from these settings (the admin user exists from then on). */
    private firstStartDone: boolean,
  ) {
    this.opts = {
      nodePath: process.execPath,
      readyTimeoutMs: 60_000,
      stopTimeoutMs: 15_000,
      commandTimeoutMs: 30 * 60_000,
      keepLines: 40,
      minFreeBytes: 512 * 1024 * 1024,
      ...options,
    };
    this.store = new SettingsStore(options.configDir);
    this.saved = saved;
    this.policy = new CrashPolicy({ ...defaultCrashPolicy, ...options.crashPolicy });
    const settings = this.settings();
    this.install = new BundleInstall(settings.dataDir);
    this.log = new RotatingLog(join(settings.dataDir, 'logs'), { ...defaultLogOptions, ...options.log });
    this.current = {
      state: version ? 'stopped' : 'not-installed',
      version,
      pid: null,
      httpUrl: null,
      mqttUrl: null,
      restarts: 0,
      reason: null,
      lastExitCode: null,
      lastLines: [],
    };
  }

  static async create(options: SupervisorOptions): Promise<Supervisor> {
    const saved = await new SettingsStore(options.configDir).load();
    const version = saved ? await new BundleInstall(saved.dataDir).current() : null;
    return new Supervisor(options, saved, version, existsSync(firstStartMarker(options.configDir)));
  }

  // ---- status ------------------------------------------------------------------------------------

  status(): ServerStatus {
    return { ...this.current, lastLines: [...this.current.lastLines] };
  }

  onStatus(listener: (status: ServerStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private update(patch: Partial<ServerStatus>): void {
    this.current = { ...this.current, ...patch };
    const snapshot = this.status();
    for (const listener of this.listeners) {
      try {
        listener(snapshot);
      } catch {
        // A broken listener must not stop the supervisor.
      }
    }
  }

  /** Supervisor events go into the same log as the server's output, so the story reads in one place. */
  private note(line: string): void {
    this.log.write(`lynx-desktop ${new Date().toISOString()} ${line}`);
  }

  // ---- settings ----------------------------------------------------------------------------------

  settings(): DesktopSettings {
    return structuredClone(this.saved ?? defaultSettings(this.opts.defaultDataDir ?? join(this.opts.configDir, 'data')));
  }

  /**
   * True until a server has started once: the admin password of the wizard exists only in memory, so
   * if the app quits before that first start succeeded, the wizard asks for it again.
   */
  isFirstRun(): boolean {
    return this.saved === null || !this.firstStartDone;
  }

  async firstRun(settings: DesktopSettings, adminPassword: string): Promise<ServerStatus> {
    if (!this.isFirstRun()) throw new SettingsError('the first run is already done: change settings instead');
    // A second try of the wizard (the first start failed) replaces a start still retrying.
    this.abort.abort();
    return this.exclusive(async () => {
      if (!this.isFirstRun()) throw new SettingsError('the first run is already done: change settings instead');
      if (!adminPassword) throw new SettingsError('invalid setting adminPassword: must not be empty');
      await this.stopServer();
      const valid = validateSettings(settings);
      const folder = await dataFolderProblem(valid.dataDir, { create: true });
      if (folder) throw new SettingsError(folder.message);
      this.useDataDir(valid.dataDir);
      if (this.opts.bundleSource) {
        const manifest = await this.install.install(this.opts.bundleSource);
        // A data folder reused from an earlier installation may hold a newer version: keep that one.
        const installed = await this.install.current();
        if (!installed) await this.install.switchTo(manifest.version);
      }
      const version = await this.install.current();
      if (!version) throw new Error('no server version to install: the app was started without its server bundle');
      this.saved = await this.store.save(valid);
      this.note(`first run: data folder ${valid.dataDir}, server ${version}`);
      this.update({ state: 'stopped', version, reason: null });
      this.pendingPassword = adminPassword;
      return this.bringUp(true);
    });
  }

  async updateSettings(patch: Partial<DesktopSettings>): Promise<DesktopSettings> {
    // A crash restart waiting out its delay would hold the lock: new server settings replace it now.
    const pending = this.current.state === 'restarting' || this.current.state === 'starting';
    if (pending && serverKeys.some((k) => k in patch && JSON.stringify(patch[k]) !== JSON.stringify(this.settings()[k]))) this.abort.abort();
    return this.exclusive(async () => {
      if (this.isFirstRun()) throw new SettingsError('finish the first-run setup before changing settings');
      const before = this.settings();
      const next = validateSettings({ ...before, ...patch });
      const serverChanged = serverKeys.some((k) => JSON.stringify(before[k]) !== JSON.stringify(next[k]));
      if (next.dataDir !== before.dataDir) {
        const folder = await dataFolderProblem(next.dataDir, { create: true });
        if (folder) throw new SettingsError(folder.message);
      }
      const wasUp = this.proc !== null || pending;
      if (wasUp && serverChanged) await this.stopServer();
      if (next.dataDir !== before.dataDir) {
        // The installed server moves along; the data does not (a new folder starts a new installation).
        const version = await this.install.current();
        const from = version ? this.install.versionDir(version) : null;
        await mkdir(next.dataDir, { recursive: true });
        this.useDataDir(next.dataDir);
        if (from && !(await this.install.current())) {
          await this.install.install(from);
          await this.install.switchTo(version!);
        }
        this.update({ version: await this.install.current() });
      }
      this.saved = await this.store.save(next);
      this.note('settings changed');
      if (wasUp && serverChanged) await this.bringUp(true);
      return this.settings();
    });
  }

  private useDataDir(dataDir: string): void {
    this.log.close();
    this.install = new BundleInstall(dataDir);
    this.log = new RotatingLog(join(dataDir, 'logs'), { ...defaultLogOptions, ...this.opts.log });
  }

  // ---- start / stop ------------------------------------------------------------------------------

  start(): Promise<ServerStatus> {
    return this.exclusive(async () => {
      if (this.proc) return this.status();
      this.policy.reset();
      // The app was updated and ships a newer server: upgrade (backup, roll back on failure) on the way up.
      if (await this.shippedBundleIsNewer()) {
        try {
          const result = await this.runUpgrade(this.opts.bundleSource!, { keepRunning: true });
          if (result.outcome === 'rolled-back') this.note(`the server shipped with the app (${result.to}) was not accepted: ${result.reason}`);
        } catch (err) {
          this.note(`upgrade to the server shipped with the app failed: ${(err as Error).message}`);
        }
        if (this.proc) return this.status();
      }
      return this.bringUp(true);
    });
  }

  private async shippedBundleIsNewer(): Promise<boolean> {
    if (!this.opts.bundleSource) return false;
    const installed = await this.install.current();
    const shipped = await readManifest(this.opts.bundleSource).catch(() => null);
    return installed !== null && shipped !== null && compareVersions(shipped.version, installed) > 0;
  }

  stop(): Promise<ServerStatus> {
    this.abort.abort();
    return this.exclusive(async () => {
      await this.stopServer();
      return this.status();
    });
  }

  restart(): Promise<ServerStatus> {
    this.abort.abort();
    return this.exclusive(async () => {
      await this.stopServer();
      this.policy.reset();
      return this.bringUp(true);
    });
  }

  /** Stops the server and lets go of everything; for the app's quit. */
  async dispose(): Promise<void> {
    await this.stop();
    this.log.close();
    this.listeners.clear();
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  private async stopServer(): Promise<void> {
    const proc = this.proc;
    if (!proc) {
      if (this.current.state !== 'not-installed' && this.current.state !== 'failed') this.update({ state: 'stopped', pid: null, httpUrl: null, mqttUrl: null, reason: null });
      return;
    }
    // Cleared first: the exit watcher then knows this exit was asked for.
    this.proc = null;
    this.update({ state: 'stopping' });
    const result = await proc.stop(this.opts.stopTimeoutMs);
    this.note(result.killed ? `server did not stop within ${this.opts.stopTimeoutMs} ms and was killed` : `server stopped (exit code ${result.code ?? result.signal})`);
    this.update({
      state: 'stopped',
      pid: null,
      httpUrl: null,
      mqttUrl: null,
      reason: result.killed ? `The server did not stop within ${Math.round(this.opts.stopTimeoutMs / 1000)} s and was killed.` : null,
      lastExitCode: result.code,
    });
  }

  /** Starts the current version and, with `retry`, keeps trying under the crash policy. */
  private async bringUp(retry: boolean): Promise<ServerStatus> {
    this.abort = new AbortController();
    const signal = this.abort.signal;
    for (;;) {
      const failure = await this.attempt(signal);
      if (!failure || signal.aborted) return this.status();
      if (!retry || failure.permanent) {
        this.fail(failure, failure.reason);
        return this.status();
      }
      if (!(await this.afterCrash(failure, signal))) return this.status();
    }
  }

  /** Records a crash; false when the policy gives up (status failed), else waits out the backoff. */
  private async afterCrash(failure: Failure, signal: AbortSignal): Promise<boolean> {
    const decision = this.policy.record();
    if (decision.giveUp) {
      const minutes = Math.max(1, Math.round(this.policy.options.windowMs / 60_000));
      this.fail(failure, `The server stopped ${decision.crashes} times within ${minutes} minute${minutes > 1 ? 's' : ''}, so it is not restarted again. Last error: ${failure.reason}`);
      return false;
    }
    this.note(`server failed (${failure.reason}); restart ${decision.crashes} in ${decision.delayMs} ms`);
    this.update({ state: 'restarting', restarts: decision.crashes, reason: failure.reason, lastExitCode: failure.exitCode, lastLines: failure.lastLines, pid: null, httpUrl: null, mqttUrl: null });
    await sleep(decision.delayMs, signal);
    return !signal.aborted;
  }

  private fail(failure: Failure, reason: string): void {
    this.note(`server failed: ${reason}`);
    this.update({ state: failure.state ?? 'failed', reason, lastExitCode: failure.exitCode, lastLines: failure.lastLines, pid: null, httpUrl: null, mqttUrl: null, restarts: this.policy.count() });
  }

  /** One start of the current version: null when healthy, else why not. */
  private async attempt(signal: AbortSignal): Promise<Failure | null> {
    const settings = this.settings();
    // Before anything writes into it (installing the server, the log): a missing folder stays missing.
    const folder = await dataFolderProblem(settings.dataDir, { create: false });
    if (folder) return { reason: folder.message, exitCode: null, lastLines: [], permanent: true };
    let version = await this.install.current();
    if (!version && this.opts.bundleSource && this.saved) {
      // The data folder lost its installed server (moved, emptied): install the one the app ships.
      try {
        version = (await this.install.install(this.opts.bundleSource)).version;
        await this.install.switchTo(version);
        this.note(`installed server ${version} from ${this.opts.bundleSource}`);
      } catch (err) {
        return { reason: `The server shipped with the app cannot be installed: ${(err as Error).message}`, exitCode: null, lastLines: [], permanent: true };
      }
    }
    if (!version) return { reason: 'No server version is installed.', exitCode: null, lastLines: [], permanent: true, state: 'not-installed' };
    const bundleDir = this.install.versionDir(version);
    const orphan = await reapOrphan(this.install.root, this.opts.stopTimeoutMs);
    if (orphan) this.note(`stopped server process ${orphan} left running by an earlier run of the app`);
    const problems = await preflight(settings);
    if (problems.length) return { reason: problems.map((p) => p.message).join(' '), exitCode: null, lastLines: [], permanent: true };
    if (signal.aborted) return null;
    let entry: string;
    try {
      ({ entry } = await readManifest(bundleDir));
    } catch (err) {
      return { reason: `The installed server ${version} is damaged (${(err as Error).message}); reinstall the app to repair it.`, exitCode: null, lastLines: [], permanent: true };
    }
    this.update({ state: this.current.state === 'restarting' ? 'restarting' : 'starting', version, pid: null });
    this.note(`starting server ${version}`);
    const proc = new ServerProcess({
      bundleDir,
      entry,
      settings,
      adminPassword: this.pendingPassword,
      nodePath: this.opts.nodePath,
      extraEnv: this.opts.extraEnv,
      log: this.log,
      keepLines: this.opts.keepLines,
    });
    this.proc = proc;
    this.update({ pid: proc.pid });
    const root = this.install.root;
    if (proc.pid) await writePid(root, proc.pid);
    void proc.exited.then(async (exit) => {
      if (proc.pid) await clearPid(root, proc.pid).catch(() => {});
      this.onExit(proc, exit.code, exit.signal);
    });
    try {
      const urls = await proc.waitHealthy(this.opts.readyTimeoutMs, signal);
      this.pendingPassword = undefined;
      if (!this.firstStartDone) {
        await writeFile(firstStartMarker(this.opts.configDir), `${new Date().toISOString()}\n`);
        this.firstStartDone = true;
      }
      this.update({ state: 'running', pid: proc.pid, httpUrl: urls.httpUrl, mqttUrl: urls.mqttUrl, reason: null, restarts: this.policy.count() });
      this.note(`server ${version} running at ${urls.httpUrl}`);
      return null;
    } catch (err) {
      if (this.proc === proc) this.proc = null;
      if (err instanceof StartFailure) return { reason: err.reason, exitCode: err.exitCode, lastLines: err.lastLines, permanent: err.permanent };
      throw err;
    }
  }

  /** A server that exits without being asked to: restart it under the crash policy. */
  private onExit(proc: ServerProcess, code: number | null, signalName: NodeJS.Signals | null): void {
    if (this.proc !== proc || this.current.state !== 'running') return;
    this.proc = null;
    const failure: Failure = {
      reason: `The server stopped unexpectedly (${signalName ? `killed by ${signalName}` : `exit code ${code}`}).`,
      exitCode: code,
      lastLines: proc.lastLines(),
      permanent: false,
    };
    this.note(failure.reason);
    this.update({ state: 'restarting', pid: null, httpUrl: null, mqttUrl: null, reason: failure.reason, lastExitCode: code, lastLines: failure.lastLines });
    const signal = this.abort.signal;
    void this.exclusive(async () => {
      if (signal.aborted || this.proc) return;
      if (await this.afterCrash(failure, signal)) await this.bringUp(true);
    });
  }

  // ---- logs and diagnostics ----------------------------------------------------------------------

  logTail(lines: number): Promise<string[]> {
    return this.log.tail(Math.max(0, Math.floor(lines)));
  }

  logDir(): string {
    return this.log.dir;
  }

  async diagnostics(): Promise<Diagnostic[]> {
    const settings = this.settings();
    const version = await this.install.current();
    const ownPorts = this.current.state === 'running' ? [this.current.httpUrl, this.current.mqttUrl].map((u) => Number(new URL(u!).port)) : [];
    return runDiagnostics({ settings, ownPorts, bundleDir: version ? this.install.versionDir(version) : null, minFreeBytes: this.opts.minFreeBytes });
  }

  // ---- backup, restore, upgrade ------------------------------------------------------------------

  private async commandOptions(version?: string): Promise<BundleCommandOptions> {
    const v = version ?? (await this.install.current());
    if (!v) throw new Error('no server version is installed');
    const bundleDir = this.install.versionDir(v);
    const { entry } = await readManifest(bundleDir);
    return {
      bundleDir,
      entry,
      settings: this.settings(),
      nodePath: this.opts.nodePath,
      extraEnv: this.opts.extraEnv,
      timeoutMs: this.opts.commandTimeoutMs,
      onLine: (line) => this.log.write(line),
    };
  }

  /** Works while the server runs (it snapshots itself) and while it is stopped. */
  backup(file?: string): Promise<BackupResult> {
    return this.exclusive(async () => {
      const target = file ? resolve(file) : defaultBackupFile(this.settings().dataDir);
      await mkdir(dirname(target), { recursive: true });
      this.note(`backup to ${target}`);
      return backupWith(target, await this.commandOptions());
    });
  }

  restore(file: string): Promise<ServerStatus> {
    this.abort.abort();
    return this.exclusive(async () => {
      const wasUp = this.proc !== null || this.current.state === 'restarting' || this.current.state === 'starting';
      await this.stopServer();
      this.note(`restore from ${file}`);
      try {
        await restoreWith(resolve(file), await this.commandOptions());
      } finally {
        // A refused restore changed nothing: the server comes back either way.
        if (wasUp) {
          this.policy.reset();
          await this.bringUp(true);
        }
      }
      return this.status();
    });
  }

  upgrade(bundleDir: string): Promise<UpgradeResult> {
    this.abort.abort();
    return this.exclusive(() => this.runUpgrade(bundleDir));
  }

  private async runUpgrade(bundleDir: string, opts: { keepRunning?: boolean } = {}): Promise<UpgradeResult> {
    const host: UpgradeHost = {
      install: this.install,
      isRunning: () => this.proc !== null,
      stopServer: () => this.stopServer(),
      tryStart: async () => {
        this.policy.reset();
        await this.bringUp(false);
        return this.proc ? null : (this.current.reason ?? 'the server did not start');
      },
      startServer: async () => {
        this.policy.reset();
        await this.bringUp(true);
      },
      backupFile: (from, to) => defaultBackupFile(this.settings().dataDir, `before-upgrade-${from}-to-${to}`),
      backup: async (version, file) => {
        await mkdir(dirname(file), { recursive: true });
        await backupWith(file, await this.commandOptions(version));
      },
      restore: async (version, file) => restoreWith(file, await this.commandOptions(version)),
      note: (line) => this.note(line),
    };
    try {
      return await upgrade(host, bundleDir, opts);
    } finally {
      this.update({ version: await this.install.current() });
    }
  }
}
