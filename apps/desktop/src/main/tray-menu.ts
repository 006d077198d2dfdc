// The tray menu as data, built from the server's status, so which entries are enabled is tested
// without Electron; tray.ts only turns it into a Menu.
import type { MenuItemConstructorOptions } from 'electron';
import type { ServerState, ServerStatus } from '../supervisor/types.js';

export interface TrayActions {
  showWindow(): void;
  start(): void;
  stop(): void;
  restart(): void;
  openLogs(): void;
  openDataFolder(): void;
  quit(): void;
}

const stateLabels: Record<ServerState, string> = {
  'not-installed': 'not installed',
  stopped: 'stopped',
  starting: 'starting…',
  running: 'running',
  stopping: 'stopping…',
  restarting: 'restarting…',
  failed: 'failed',
};

export function trayTooltip(status: ServerStatus): string {
  const version = status.version ? ` ${status.version}` : '';
  return `Lynx On-Premise${version}: server ${stateLabels[status.state]}`;
}

export function trayMenuTemplate(status: ServerStatus, actions: TrayActions): MenuItemConstructorOptions[] {
  const { state } = status;
  const canStart = state === 'stopped' || state === 'failed';
  const canStop = state === 'running' || state === 'starting' || state === 'restarting';
  const canRestart = state === 'running' || state === 'failed';
  const reason = status.reason && (state === 'failed' || state === 'stopped') ? status.reason : null;
  const template: MenuItemConstructorOptions[] = [
    { id: 'status', label: `Server ${stateLabels[state]}${status.version ? ` (${status.version})` : ''}`, enabled: false },
  ];
  // Menu items are one line: keep the reason short, the status page shows it whole.
  if (reason) template.push({ id: 'reason', label: reason.length > 80 ? `${reason.slice(0, 79)}…` : reason, enabled: false });
  if (state === 'running' && status.httpUrl) template.push({ id: 'url', label: status.httpUrl, enabled: false });
  template.push(
    { type: 'separator' },
    { id: 'open', label: 'Open Lynx On-Premise', click: () => actions.showWindow() },
    { id: 'start', label: 'Start server', enabled: canStart, click: () => actions.start() },
    { id: 'stop', label: 'Stop server', enabled: canStop, click: () => actions.stop() },
    { id: 'restart', label: 'Restart server', enabled: canRestart, click: () => actions.restart() },
    { type: 'separator' },
    { id: 'logs', label: 'Open logs', click: () => actions.openLogs() },
    { id: 'data', label: 'Open data folder', click: () => actions.openDataFolder() },
    { type: 'separator' },
    { id: 'quit', label: 'Quit (stops the server)', click: () => actions.quit() },
  );
  return template;
}
