// The tray icon: the status at a glance and the server controls while the window is closed.
import { Menu, Tray, nativeImage } from 'electron';
import type { ServerStatus } from '../supervisor/types.js';
import { trayMenuTemplate, trayTooltip, type TrayActions } from './tray-menu.js';

// A 32x32 PNG kept inline so the tray does not depend on where resources land after packaging.
const iconDataUrl = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAACAAAAAgCAYAAABzenr0AAAAnUlEQVR4nO3WyxGAMAgE0HRiISnKHlKTteWqDRhYVhAOOXBlH8zk0/qYLbNSwynAcV63VGEALZiFuAdbIaHhCIIK72O+FoMwha+CUQgE+BKMQMwANnyFEAGe06NbCJ0e2ULo9MgWwqfXtrABG1AX8PsxTL+ISlzF6Y9Riec4/UNS4kuGICwlZYgAD4TWXwWwELQvDEAh1n5mgHelAx4oKa2llw4rUwAAAABJRU5ErkJggg==';

export interface StatusTray {
  update(status: ServerStatus): void;
  destroy(): void;
}

export function createTray(initial: ServerStatus, actions: TrayActions): StatusTray {
  const tray = new Tray(nativeImage.createFromDataURL(iconDataUrl).resize({ width: 16, height: 16 }));
  const update = (status: ServerStatus) => {
    tray.setToolTip(trayTooltip(status));
    tray.setContextMenu(Menu.buildFromTemplate(trayMenuTemplate(status, actions)));
  };
  tray.on('click', () => actions.showWindow());
  update(initial);
  return { update, destroy: () => tray.destroy() };
}
