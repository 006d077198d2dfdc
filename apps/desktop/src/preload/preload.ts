// Runs sandboxed before the page's scripts: exposes window.lynxDesktop and nothing else (no
// ipcRenderer, no Node). Built into one CommonJS file, because a sandboxed preload cannot load others.
import { contextBridge, ipcRenderer } from 'electron';
import { toBridge } from '../ipc/envelope.js';
import { createDesktopApi } from './desktop-api.js';

// The same window also shows the server's admin UI (http): that page gets nothing, and the main
// process refuses its calls anyway (handlers.ts isTrustedSender).
// No DOM lib in this tsconfig: the preload's global is typed here, where it is used.
declare const location: { protocol: string };
if (location.protocol === 'file:') {
  contextBridge.exposeInMainWorld('lynxDesktop', toBridge(createDesktopApi(ipcRenderer)));
}
