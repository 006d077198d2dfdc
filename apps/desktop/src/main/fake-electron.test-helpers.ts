// Just enough of the 'electron' module for main.ts to run in Node: records windows, loads, IPC
// handlers, the session hooks and quitting, so main.spec.ts can drive the app's lifecycle.
import { EventEmitter } from 'node:events';

type Listener = (...args: any[]) => unknown;

export function createFakeElectron(userData: string) {
  const state = {
    loads: [] as string[],
    shown: 0,
    handlers: new Map<string, Listener>(),
    windows: [] as FakeWindow[],
    trays: [] as FakeTray[],
    external: [] as string[],
    headersHook: null as Listener | null,
    permissionHook: null as Listener | null,
    quitReally: false,
  };

  class FakeApp extends EventEmitter {
    isPackaged = false;
    requestSingleInstanceLock = () => true;
    whenReady = () => Promise.resolve();
    getPath = () => userData;
    setLoginItemSettings = () => undefined;
    exit = () => undefined;
    quit = () => {
      const event = { defaultPrevented: false, preventDefault: () => (event.defaultPrevented = true) };
      this.emit('before-quit', event);
      if (!event.defaultPrevented) state.quitReally = true;
    };
  }
  const app = new FakeApp();

  class FakeWebContents extends EventEmitter {
    url = '';
    sent: [string, unknown][] = [];
    openHandler: Listener | null = null;
    getURL = () => this.url;
    send = (channel: string, payload: unknown) => void this.sent.push([channel, structuredClone(payload)]);
    setWindowOpenHandler = (handler: Listener) => void (this.openHandler = handler);
  }
  class FakeWindow extends EventEmitter {
    webContents = new FakeWebContents();
    constructor(readonly options: any) {
      super();
      state.windows.push(this);
      app.emit('web-contents-created', {}, this.webContents);
      setTimeout(() => this.emit('ready-to-show'), 0);
    }
    loadURL = async (url: string) => {
      state.loads.push(url);
      this.webContents.url = url;
    };
    isDestroyed = () => false;
    isMinimized = () => false;
    show = () => void state.shown++;
    hide = () => undefined;
    focus = () => undefined;
    restore = () => undefined;
  }
  class FakeTray extends EventEmitter {
    tooltip = '';
    constructor() {
      super();
      state.trays.push(this);
    }
    setToolTip = (text: string) => void (this.tooltip = text);
    setContextMenu = () => undefined;
    destroy = () => undefined;
  }

  const module = {
    app,
    BrowserWindow: FakeWindow,
    Tray: FakeTray,
    ipcMain: { handle: (channel: string, fn: Listener) => void state.handlers.set(channel, fn) },
    session: {
      defaultSession: {
        webRequest: { onHeadersReceived: (fn: Listener) => void (state.headersHook = fn) },
        setPermissionRequestHandler: (fn: Listener) => void (state.permissionHook = fn),
      },
    },
    shell: { openExternal: async (url: string) => void state.external.push(url), openPath: async () => '' },
    dialog: { showOpenDialog: async () => ({ canceled: true, filePaths: [] }), showErrorBox: () => undefined },
    Menu: { buildFromTemplate: (template: unknown) => ({ template }), setApplicationMenu: () => undefined },
    nativeImage: { createFromDataURL: () => ({ resize: () => ({}) }) },
  };
  return { module, state, app };
}
