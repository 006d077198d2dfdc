// The supervisor's public surface: what the Electron shell (IPC handlers, tray, wizard) may call.
// Plain data in and out, so it crosses IPC unchanged; no Electron types here.

/** What the facility manager chose in the first-run wizard or the settings page. */
export interface DesktopSettings {
  /** Where the server keeps its database, time series, broker state, files, logs and backups. */
  dataDir: string;
  httpPort: number;
  mqttPort: number;
  /** Listen address: 127.0.0.1 keeps the server on this computer; 0.0.0.0 lets devices on the network in. */
  host: string;
  database: { kind: 'sqlite' } | { kind: 'postgres'; url: string };
  adminEmail: string;
  /** Start the server when the desktop app starts. */
  autostartServer: boolean;
  /** Start the desktop app when the user logs in (the shell applies it through the OS). */
  openAtLogin: boolean;
}

export type ServerState = 'not-installed' | 'stopped' | 'starting' | 'running' | 'stopping' | 'restarting' | 'failed';

export interface ServerStatus {
  state: ServerState;
  /** Installed (or running) bundle version. */
  version: string | null;
  pid: number | null;
  httpUrl: string | null;
  mqttUrl: string | null;
  /** Crash restarts in the current window. */
  restarts: number;
  /** Why the server is failed or stopped unexpectedly: a human sentence (port in use, crash loop, ...). */
  reason: string | null;
  lastExitCode: number | null;
  /** The last lines the server printed before it failed, when it failed. */
  lastLines: string[];
}

/** One health check of the local installation (rancher-desktop style). */
export interface Diagnostic {
  id: string;
  description: string;
  applicable: boolean;
  passed: boolean;
  /** What the user can do when it did not pass; empty when passed. */
  fixes: string[];
}

export interface UpgradeResult {
  from: string | null;
  to: string;
  outcome: 'upgraded' | 'rolled-back';
  /** Set when rolled back: why the new version was not accepted. */
  reason?: string;
  backupFile?: string;
}

export interface BackupResult {
  file: string;
  bytes: number;
}

export interface SupervisorApi {
  status(): ServerStatus;
  /** Called on every status change; returns the unsubscribe function. */
  onStatus(listener: (status: ServerStatus) => void): () => void;
  start(): Promise<ServerStatus>;
  stop(): Promise<ServerStatus>;
  restart(): Promise<ServerStatus>;
  /** The newest lines of the server's log (rotating files in <dataDir>/logs). */
  logTail(lines: number): Promise<string[]>;
  logDir(): string;
  diagnostics(): Promise<Diagnostic[]>;
  backup(file?: string): Promise<BackupResult>;
  /** Stops the server, restores (verified first), starts it again. */
  restore(file: string): Promise<ServerStatus>;
  /** Installs the given bundle folder if newer than the installed one (backup, migrate, roll back on failure). */
  upgrade(bundleDir: string): Promise<UpgradeResult>;
  settings(): DesktopSettings;
  /** Validates and saves; restarts the server when it runs and a setting it uses changed. */
  updateSettings(patch: Partial<DesktopSettings>): Promise<DesktopSettings>;
  /** First run: settings chosen, admin password passed once to the first start (never stored). */
  firstRun(settings: DesktopSettings, adminPassword: string): Promise<ServerStatus>;
  isFirstRun(): boolean;
}
