// The typed API the preload exposes, built over anything shaped like ipcRenderer so it is tested
// without Electron. Failures arrive as envelopes and are rethrown as DesktopError.
import type { ServerStatus } from '../supervisor/types.js';
import { channels, statusEvent, type DesktopApi, type InvokeChannel } from '../ipc/channels.js';
import { unwrap } from '../ipc/envelope.js';

export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export function createDesktopApi(ipc: IpcRendererLike): DesktopApi {
  // Arguments are passed positionally and never spread from the caller, so a page cannot smuggle extras.
  const call = async <T>(channel: InvokeChannel, ...args: unknown[]): Promise<T> => unwrap<T>(await ipc.invoke(channel, ...args));
  return {
    status: () => call(channels.status),
    onStatus(listener) {
      const relay = (_event: unknown, status: unknown) => listener(status as ServerStatus);
      ipc.on(statusEvent, relay);
      return () => {
        ipc.removeListener(statusEvent, relay);
      };
    },
    start: () => call(channels.start),
    stop: () => call(channels.stop),
    restart: () => call(channels.restart),
    logTail: (lines) => call(channels.logTail, lines),
    logDir: () => call(channels.logDir),
    diagnostics: () => call(channels.diagnostics),
    backup: (file) => (file === undefined ? call(channels.backup) : call(channels.backup, file)),
    restore: (file) => call(channels.restore, file),
    upgrade: (bundleDir) => call(channels.upgrade, bundleDir),
    settings: () => call(channels.settings),
    updateSettings: (patch) => call(channels.updateSettings, patch),
    firstRun: (settings, adminPassword) => call(channels.firstRun, settings, adminPassword),
    isFirstRun: () => call(channels.isFirstRun),
    chooseFolder: (title) => (title === undefined ? call(channels.chooseFolder) : call(channels.chooseFolder, title)),
    chooseFile: (title) => (title === undefined ? call(channels.chooseFile) : call(channels.chooseFile, title)),
    openLogs: () => call(channels.openLogs),
    openDataFolder: () => call(channels.openDataFolder),
    quit: () => call(channels.quit),
  };
}
