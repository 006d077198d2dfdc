// "Open at login": Electron's login items on macOS and Windows; on Linux Electron has none, so an
// XDG autostart entry (~/.config/autostart) does the same for every desktop that follows the spec.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import type { DesktopSettings, SupervisorApi } from '../supervisor/types.js';

/** Passed when started by the OS at login: start to the tray, without a window. */
export const hiddenFlag = '--hidden';

export interface LoginItemApp {
  setLoginItemSettings(settings: { openAtLogin: boolean; openAsHidden?: boolean; args?: string[] }): void;
}

export interface AutostartEnv {
  platform: NodeJS.Platform;
  /** The program to start: the AppImage file when run from one, else the executable. */
  executable: string;
  /** $XDG_CONFIG_HOME or ~/.config */
  configHome?: string;
}

export function autostartEntryPath(configHome = process.env.XDG_CONFIG_HOME || path.join(homedir(), '.config')): string {
  return path.join(configHome, 'autostart', 'lynx-on-premise.desktop');
}

/** Desktop Entry Exec quoting: the path in double quotes, with ", `, $ and \ escaped. */
function quoteExec(file: string): string {
  return `"${file.replace(/(["`$\\])/g, '\\$1')}"`;
}

export function autostartDesktopEntry(executable: string): string {
  return ['[Desktop Entry]', 'Type=Application', 'Name=Lynx On-Premise', `Exec=${quoteExec(executable)} ${hiddenFlag}`, 'X-GNOME-Autostart-enabled=true', 'Terminal=false', ''].join('\n');
}

export async function applyOpenAtLogin(openAtLogin: boolean, app: LoginItemApp, env: AutostartEnv): Promise<void> {
  if (env.platform !== 'linux') {
    app.setLoginItemSettings({ openAtLogin, openAsHidden: true, args: [hiddenFlag] });
    return;
  }
  const file = autostartEntryPath(env.configHome);
  if (!openAtLogin) {
    await rm(file, { force: true });
    return;
  }
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, autostartDesktopEntry(env.executable), { mode: 0o644 });
}

/**
 * The supervisor as the IPC handlers see it, calling `onSettings` after every saved change, so the
 * shell can apply what only it can (open at login) without the supervisor knowing about Electron.
 */
export function observeSettings(supervisor: SupervisorApi, onSettings: (settings: DesktopSettings) => void | Promise<void>): SupervisorApi {
  return new Proxy(supervisor, {
    get(target, property, receiver) {
      if (property === 'updateSettings') {
        return async (patch: Partial<DesktopSettings>) => {
          const saved = await target.updateSettings(patch);
          await onSettings(saved);
          return saved;
        };
      }
      if (property === 'firstRun') {
        return async (settings: DesktopSettings, password: string) => {
          const status = await target.firstRun(settings, password);
          await onSettings(target.settings());
          return status;
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
