// The Electron main process: one instance, one window, a tray, and the supervisor behind IPC.
// Everything decidable without Electron lives in the pure modules next to this file (tested there);
// this file only wires them to Electron's objects.
import { BrowserWindow, Menu, app, dialog, ipcMain, session, shell } from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { forwardStatus, registerHandlers, type IpcEventLike } from '../ipc/handlers.js';
import type { ServerStatus } from '../supervisor/types.js';
import { appMenuTemplate, type DesktopPage } from './app-menu.js';
import { applyOpenAtLogin, hiddenFlag, observeSettings } from './autostart.js';
import { withRendererCsp } from './csp.js';
import { browsableUrl, isRendererUrl, navigationDecision, newWindowDecision, permissionAllowed } from './navigation.js';
import { pageUrl, shellPaths } from './paths.js';
import { createShellActions } from './shell-actions.js';
import { createShellSupervisor } from './supervisor-factory.js';
import { createTray, type StatusTray } from './tray.js';
import { windowOptions } from './window-options.js';

const paths = shellPaths(path.dirname(fileURLToPath(import.meta.url)), { packaged: app.isPackaged, resourcesPath: process.resourcesPath, env: process.env });
let window: BrowserWindow | null = null;
let tray: StatusTray | null = null;
let serverUrl: string | null = null;
// Set at launch and after the wizard: the admin UI replaces the status page once the server runs.
let openAdminWhenRunning = true;
let quitting = false;

if (!app.requestSingleInstanceLock()) {
  // A second start (e.g. the login item and the user): the first instance shows its window instead.
  app.quit();
} else {
  app.on('second-instance', () => showWindow());
  app.whenReady()
    .then(start)
    .catch((err: unknown) => fatal(err));
  app.on('activate', () => showWindow());
}

function fatal(err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  console.error(`lynx-desktop: ${message}`);
  // Started from a menu or at login there is no terminal: say it in a window too.
  dialog.showErrorBox('Lynx On-Premise cannot start', message);
  app.exit(1);
}

function showWindow(): void {
  if (!window || window.isDestroyed()) return;
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}

function showPage(page: DesktopPage): void {
  void window?.loadURL(pageUrl(paths, page));
  if (page !== 'status') openAdminWhenRunning = false;
  showWindow();
}

function openAdminUi(): void {
  if (serverUrl) void window?.loadURL(browsableUrl(serverUrl));
  else showPage('status');
  showWindow();
}

function onRendererPage(): boolean {
  return !!window && !window.isDestroyed() && isRendererUrl(window.webContents.getURL(), paths.rendererRoot);
}

function guardWebContents(): void {
  app.on('web-contents-created', (_event, contents) => {
    const guard = (event: { preventDefault(): void }, url: string) => {
      const decision = navigationDecision(url, { rendererRoot: paths.rendererRoot, serverUrl });
      if (decision === 'allow') return;
      event.preventDefault();
      if (decision === 'external') void shell.openExternal(url);
    };
    contents.on('will-navigate', guard);
    contents.on('will-redirect', guard);
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (newWindowDecision(url) === 'external') void shell.openExternal(url);
      return { action: 'deny' };
    });
  });
}

function secureSession(): void {
  const ses = session.defaultSession;
  ses.webRequest.onHeadersReceived((details, callback) => callback({ responseHeaders: withRendererCsp(details, paths.rendererRoot) }));
  ses.setPermissionRequestHandler((_contents, permission, callback, details) =>
    callback(permissionAllowed(permission, details.requestingUrl, { rendererRoot: paths.rendererRoot, serverUrl })),
  );
}

async function start(): Promise<void> {
  guardWebContents();
  secureSession();
  const supervisor = await createShellSupervisor({ configDir: app.getPath('userData'), bundleDir: paths.bundleDir });
  const autostartEnv = { platform: process.platform, executable: process.env.APPIMAGE || process.execPath };
  const applyLogin = (openAtLogin: boolean) => applyOpenAtLogin(openAtLogin, app, autostartEnv).catch((err: unknown) => console.error(`lynx-desktop: open at login: ${String(err)}`));

  const actions = createShellActions(() => window);
  registerHandlers(ipcMain, {
    supervisor: observeSettings(supervisor, (settings) => applyLogin(settings.openAtLogin)),
    shell: actions,
    isTrustedSender: (event: IpcEventLike) => isRendererUrl(event.senderFrame?.url ?? '', paths.rendererRoot),
  });

  window = new BrowserWindow(windowOptions(paths.preload));
  window.once('ready-to-show', () => {
    if (!process.argv.includes(hiddenFlag)) showWindow();
  });
  window.on('close', (event) => {
    // The server keeps running with the window closed; Quit (tray or menu) stops both.
    if (!quitting && tray) {
      event.preventDefault();
      window?.hide();
    }
  });

  const trayActions = {
    showWindow,
    start: () => void supervisor.start().catch(() => undefined),
    stop: () => void supervisor.stop().catch(() => undefined),
    restart: () => void supervisor.restart().catch(() => undefined),
    openLogs: () => void actions.openPath(supervisor.logDir()).catch(() => undefined),
    openDataFolder: () => void actions.openPath(supervisor.settings().dataDir).catch(() => undefined),
    quit: () => app.quit(),
  };
  try {
    tray = createTray(supervisor.status(), trayActions);
  } catch (err) {
    // Some Linux desktops have no tray: the window then stays the only way in, and closing it quits.
    console.error(`lynx-desktop: no tray: ${String(err)}`);
  }
  Menu.setApplicationMenu(Menu.buildFromTemplate(appMenuTemplate({ showPage, openAdminUi, quit: () => app.quit() }, process.platform)));

  const onStatus = (status: ServerStatus) => {
    serverUrl = status.state === 'running' ? status.httpUrl : null;
    tray?.update(status);
    if (quitting) return;
    if (status.state === 'running' && serverUrl && openAdminWhenRunning && onRendererPage()) {
      openAdminWhenRunning = false;
      void window?.loadURL(browsableUrl(serverUrl));
    } else if ((status.state === 'failed' || status.state === 'stopped') && window && !window.isDestroyed() && !onRendererPage()) {
      // The admin UI of a server that is gone would show a browser error: show why instead.
      openAdminWhenRunning = true;
      void window.loadURL(pageUrl(paths, 'status'));
    }
  };
  forwardStatus(supervisor, (channel, status) => {
    if (window && !window.isDestroyed()) window.webContents.send(channel, status);
  });
  supervisor.onStatus(onStatus);

  app.on('before-quit', (event) => {
    if (quitting) return;
    // Quitting stops the server first (flushes its stores), then quits for real.
    event.preventDefault();
    quitting = true;
    tray?.destroy();
    supervisor
      .dispose()
      .catch((err: unknown) => console.error(`lynx-desktop: stopping the server: ${String(err)}`))
      .finally(() => app.quit());
  });
  app.on('window-all-closed', () => {
    if (!tray) app.quit();
  });

  if (supervisor.isFirstRun()) {
    await window.loadURL(pageUrl(paths, 'wizard'));
    return;
  }
  await applyLogin(supervisor.settings().openAtLogin);
  await window.loadURL(pageUrl(paths, 'status'));
  onStatus(supervisor.status());
  const { state } = supervisor.status();
  if (supervisor.settings().autostartServer && state !== 'running' && state !== 'starting' && state !== 'restarting') {
    // Failures show on the status page through the status events; nothing to do here.
    supervisor.start().catch(() => undefined);
  }
}
