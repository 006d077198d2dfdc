// The application menu: the way back from the server's admin UI to the desktop pages, plus the
// standard edit roles (without them copy and paste do not work in the forms on macOS).
import type { MenuItemConstructorOptions } from 'electron';

export type DesktopPage = 'wizard' | 'status' | 'settings';

export interface AppMenuActions {
  showPage(page: DesktopPage): void;
  openAdminUi(): void;
  quit(): void;
}

export function appMenuTemplate(actions: AppMenuActions, platform: NodeJS.Platform): MenuItemConstructorOptions[] {
  return [
    {
      label: platform === 'darwin' ? 'Lynx On-Premise' : 'File',
      submenu: [
        { id: 'quit', label: 'Quit (stops the server)', accelerator: 'CmdOrCtrl+Q', click: () => actions.quit() },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { id: 'admin', label: 'Admin UI', accelerator: 'CmdOrCtrl+1', click: () => actions.openAdminUi() },
        { id: 'status', label: 'Server status', accelerator: 'CmdOrCtrl+2', click: () => actions.showPage('status') },
        { id: 'settings', label: 'Settings', accelerator: 'CmdOrCtrl+,', click: () => actions.showPage('settings') },
        { type: 'separator' },
        { role: 'reload' },
        { role: 'toggleDevTools' },
        { role: 'togglefullscreen' },
      ],
    },
  ];
}
