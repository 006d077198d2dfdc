// An in-memory ipcMain/ipcRenderer pair standing in for Electron's (whose binary cannot run on CI):
// arguments and answers are structured-cloned as Electron does, and a handler that throws rejects
// the invoke with Electron's generic message, so the tests see what a real renderer would.
import type { ServerStatus, SupervisorApi, DesktopSettings, Diagnostic, BackupResult, UpgradeResult } from '../supervisor/types.js';
import type { IpcEventLike, IpcMainLike } from './handlers.js';
import type { IpcRendererLike } from '../preload/desktop-api.js';
import type { ShellActions } from './channels.js';

type MainListener = (event: IpcEventLike, ...args: unknown[]) => unknown;
type RendererListener = (event: unknown, ...args: unknown[]) => void;

export function fakeIpc(senderUrl = 'file:///opt/lynx/resources/app.asar/dist/renderer/index.html#status') {
  const handlers = new Map<string, MainListener>();
  const listeners = new Map<string, Set<RendererListener>>();
  const state = { senderUrl };
  const ipcMain: IpcMainLike = {
    handle(channel, listener) {
      if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
      handlers.set(channel, listener);
    },
  };
  const ipcRenderer: IpcRendererLike = {
    async invoke(channel, ...args) {
      const handler = handlers.get(channel);
      if (!handler) throw new Error(`Error invoking remote method '${channel}': Error: No handler registered for '${channel}'`);
      try {
        return structuredClone(await handler({ senderFrame: { url: state.senderUrl } }, ...structuredClone(args)));
      } catch (err) {
        throw new Error(`Error invoking remote method '${channel}': ${String(err)}`);
      }
    },
    on(channel, listener) {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(listener);
    },
    removeListener(channel, listener) {
      listeners.get(channel)?.delete(listener);
    },
  };
  /** webContents.send */
  const send = (channel: string, ...args: unknown[]) => {
    for (const listener of listeners.get(channel) ?? []) listener({}, ...structuredClone(args));
  };
  return { ipcMain, ipcRenderer, send, handlers, listeners, state };
}

export const sampleSettings: DesktopSettings = {
  dataDir: '/home/fm/lynx-data',
  httpPort: 8080,
  mqttPort: 1883,
  host: '127.0.0.1',
  database: { kind: 'sqlite' },
  adminEmail: 'admin@lynx.local',
  autostartServer: true,
  openAtLogin: false,
};

export function sampleStatus(patch: Partial<ServerStatus> = {}): ServerStatus {
  return { state: 'stopped', version: '0.1.0', pid: null, httpUrl: null, mqttUrl: null, restarts: 0, reason: null, lastExitCode: null, lastLines: [], ...patch };
}

/** A SupervisorApi that records calls; `fail` makes the next call of a method throw. */
export class FakeSupervisor implements SupervisorApi {
  calls: { method: string; args: unknown[] }[] = [];
  current = sampleStatus();
  saved: DesktopSettings = { ...sampleSettings };
  failures = new Map<string, Error>();
  private listeners = new Set<(s: ServerStatus) => void>();

  private record<T>(method: string, args: unknown[], value: () => T): T {
    this.calls.push({ method, args });
    const failure = this.failures.get(method);
    if (failure) throw failure;
    return value();
  }
  emit(patch: Partial<ServerStatus>): void {
    this.current = { ...this.current, ...patch };
    for (const l of this.listeners) l(this.current);
  }
  status(): ServerStatus {
    return this.record('status', [], () => this.current);
  }
  onStatus(listener: (status: ServerStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  async start() {
    return this.record('start', [], () => sampleStatus({ state: 'running', pid: 42, httpUrl: 'http://127.0.0.1:8080', mqttUrl: 'mqtt://127.0.0.1:1883' }));
  }
  async stop() {
    return this.record('stop', [], () => sampleStatus());
  }
  async restart() {
    return this.record('restart', [], () => this.current);
  }
  async logTail(lines: number) {
    return this.record('logTail', [lines], () => Array.from({ length: Math.min(lines, 3) }, (_, i) => `line ${i}`));
  }
  logDir() {
    return this.record('logDir', [], () => `${this.saved.dataDir}/logs`);
  }
  async diagnostics(): Promise<Diagnostic[]> {
    return this.record('diagnostics', [], () => [{ id: 'port-http', description: 'HTTP port 8080 is free', applicable: true, passed: false, fixes: ['Stop the other program or choose another port'] }]);
  }
  async backup(file?: string): Promise<BackupResult> {
    return this.record('backup', [file], () => ({ file: file ?? '/home/fm/lynx-data/backups/b.tar.gz', bytes: 1024 }));
  }
  async restore(file: string) {
    return this.record('restore', [file], () => this.current);
  }
  async upgrade(bundleDir: string): Promise<UpgradeResult> {
    return this.record('upgrade', [bundleDir], () => ({ from: '0.1.0', to: '0.2.0', outcome: 'upgraded' as const }));
  }
  settings() {
    return this.record('settings', [], () => this.saved);
  }
  async updateSettings(patch: Partial<DesktopSettings>) {
    return this.record('updateSettings', [patch], () => (this.saved = { ...this.saved, ...patch }));
  }
  async firstRun(settings: DesktopSettings, adminPassword: string) {
    return this.record('firstRun', [settings, adminPassword], () => {
      this.saved = settings;
      return sampleStatus({ state: 'running' });
    });
  }
  isFirstRun() {
    return this.record('isFirstRun', [], () => false);
  }
}

export function fakeShell() {
  const opened: string[] = [];
  let quits = 0;
  const shell: ShellActions = {
    chooseFolder: async (title) => (title === 'cancel' ? null : '/home/fm/chosen'),
    chooseFile: async () => '/home/fm/backup.tar.gz',
    openPath: async (path) => {
      opened.push(path);
    },
    quit: () => {
      quits++;
    },
  };
  return { shell, opened, quits: () => quits };
}
