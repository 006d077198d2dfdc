// The IPC contract between the Electron main process and the renderer: one invoke channel per
// SupervisorApi method plus the few shell actions only the main process can do. Both sides import
// these names, so a typo is a compile error rather than a silent hang.
import type { BackupResult, DesktopSettings, Diagnostic, ServerStatus, UpgradeResult } from '../supervisor/types.js';

export const channels = {
  status: 'supervisor:status',
  start: 'supervisor:start',
  stop: 'supervisor:stop',
  restart: 'supervisor:restart',
  logTail: 'supervisor:logTail',
  logDir: 'supervisor:logDir',
  diagnostics: 'supervisor:diagnostics',
  backup: 'supervisor:backup',
  restore: 'supervisor:restore',
  upgrade: 'supervisor:upgrade',
  settings: 'supervisor:settings',
  updateSettings: 'supervisor:updateSettings',
  firstRun: 'supervisor:firstRun',
  isFirstRun: 'supervisor:isFirstRun',
  chooseFolder: 'dialog:chooseFolder',
  chooseFile: 'dialog:chooseFile',
  openLogs: 'shell:openLogs',
  openDataFolder: 'shell:openDataFolder',
  quit: 'app:quit',
} as const;

export type InvokeChannel = (typeof channels)[keyof typeof channels];

/** Pushed by the main process on every supervisor status change (not an invoke channel). */
export const statusEvent = 'supervisor:status-changed';

/**
 * What the renderer sees as `window.lynxDesktop`. Every call goes through the main process, which
 * validates its input; errors arrive as DesktopError (name, message and code kept).
 */
export interface DesktopApi {
  status(): Promise<ServerStatus>;
  onStatus(listener: (status: ServerStatus) => void): () => void;
  start(): Promise<ServerStatus>;
  stop(): Promise<ServerStatus>;
  restart(): Promise<ServerStatus>;
  logTail(lines: number): Promise<string[]>;
  logDir(): Promise<string>;
  diagnostics(): Promise<Diagnostic[]>;
  backup(file?: string): Promise<BackupResult>;
  restore(file: string): Promise<ServerStatus>;
  upgrade(bundleDir: string): Promise<UpgradeResult>;
  settings(): Promise<DesktopSettings>;
  updateSettings(patch: Partial<DesktopSettings>): Promise<DesktopSettings>;
  firstRun(settings: DesktopSettings, adminPassword: string): Promise<ServerStatus>;
  isFirstRun(): Promise<boolean>;
  /** The folder the user picked, or null when the dialog was cancelled. */
  chooseFolder(title?: string): Promise<string | null>;
  /** A backup archive (.tar.gz) to restore, or null when cancelled. */
  chooseFile(title?: string): Promise<string | null>;
  openLogs(): Promise<void>;
  openDataFolder(): Promise<void>;
  quit(): Promise<void>;
}

/** What only the Electron main process can do; handlers.ts gets it injected so tests can fake it. */
export interface ShellActions {
  chooseFolder(title?: string): Promise<string | null>;
  chooseFile(title?: string): Promise<string | null>;
  openPath(path: string): Promise<void>;
  quit(): void;
}
