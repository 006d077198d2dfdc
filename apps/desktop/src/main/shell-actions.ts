// What the renderer may ask of the operating system, through the main process only.
import { app, dialog, shell, type BrowserWindow } from 'electron';
import type { ShellActions } from '../ipc/channels.js';

export function createShellActions(window: () => BrowserWindow | null): ShellActions {
  return {
    async chooseFolder(title) {
      const options = { title: title ?? 'Choose a folder', properties: ['openDirectory', 'createDirectory'] as ('openDirectory' | 'createDirectory')[] };
      const win = window();
      const result = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      return result.canceled || result.filePaths.length === 0 ? null : result.filePaths[0];
    },
    async chooseFile(title) {
      const options = {
        title: title ?? 'Choose a backup archive',
        properties: ['openFile'] as 'openFile'[],
        filters: [{ name: 'Lynx backup', extensions: ['tar.gz', 'tgz'] }],
      };
      const win = window();
      const result = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      return result.canceled || result.filePaths.length === 0 ? null : result.filePaths[0];
    },
    async openPath(target) {
      // shell.openPath answers an error string instead of rejecting.
      const failure = await shell.openPath(target);
      if (failure) throw Object.assign(new Error(`could not open ${target}: ${failure}`), { code: 'OPEN_FAILED' });
    },
    quit: () => app.quit(),
  };
}
