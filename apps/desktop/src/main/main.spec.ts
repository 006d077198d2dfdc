// main.ts's lifecycle under a fake Electron and a fake supervisor: which page shows when, that the
// admin UI follows the server, that IPC is wired with the sender check, and that quitting stops the server.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeSupervisor, sampleSettings } from '../ipc/fake-ipc.test-helpers.js';
import { createFakeElectron } from './fake-electron.test-helpers.js';

const shared = vi.hoisted(() => ({ electron: null as unknown, supervisor: null as unknown }));
// Getters, because the factory's result is cached across vi.resetModules(): each launch gets its own fake.
vi.mock('electron', () => {
  const module = {};
  for (const name of ['app', 'BrowserWindow', 'Tray', 'ipcMain', 'session', 'shell', 'dialog', 'Menu', 'nativeImage']) {
    Object.defineProperty(module, name, { enumerable: true, get: () => (shared.electron as Record<string, unknown>)[name] });
  }
  return module;
});
vi.mock('./supervisor-factory.js', () => ({ createShellSupervisor: async () => shared.supervisor }));

class ShellFake extends FakeSupervisor {
  firstRunPending = true;
  disposed = 0;
  override isFirstRun() {
    return this.firstRunPending;
  }
  override async firstRun(settings: typeof sampleSettings, password: string) {
    const status = await super.firstRun(settings, password);
    this.firstRunPending = false;
    return status;
  }
  async dispose() {
    this.disposed++;
    this.emit({ state: 'stopped', pid: null, httpUrl: null });
  }
}

const home = await mkdtemp(path.join(tmpdir(), 'lynx-desktop-main-'));
process.env.XDG_CONFIG_HOME = home;
afterAll(() => rm(home, { recursive: true, force: true }));

async function launch(supervisor: ShellFake) {
  const fake = createFakeElectron(home);
  shared.electron = fake.module;
  shared.supervisor = supervisor;
  vi.resetModules();
  await import('./main.js');
  await vi.waitFor(() => expect(fake.state.loads.length).toBeGreaterThan(0));
  const win = fake.state.windows[0];
  const invoke = (channel: string, ...args: unknown[]) => fake.state.handlers.get(channel)!({ senderFrame: { url: win.webContents.getURL() } }, ...args);
  return { ...fake, win, invoke };
}

describe('desktop main process', () => {
  beforeEach(() => {
    vi.clearAllMocks();
  });

  it('first run: wizard, then the admin UI once the server runs, the status page when it fails', async () => {
    const supervisor = new ShellFake();
    const { state, win, invoke } = await launch(supervisor);
    expect(state.loads).toEqual([expect.stringMatching(/\/renderer\/index\.html#wizard$/)]);
    expect(win.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    await vi.waitFor(() => expect(state.shown).toBe(1));

    expect(await invoke('supervisor:firstRun', sampleSettings, 'short')).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await invoke('supervisor:firstRun', sampleSettings, 'long enough password')).toMatchObject({ ok: true });
    supervisor.emit({ state: 'running', httpUrl: 'http://0.0.0.0:8080', pid: 4 });
    expect(state.loads.at(-1)).toBe('http://127.0.0.1:8080/');
    expect(win.webContents.sent.at(-1)).toEqual(['supervisor:status-changed', expect.objectContaining({ state: 'running' })]);
    expect(state.trays[0].tooltip).toBe('Lynx On-Premise 0.1.0: server running');

    // The admin UI page may not drive the supervisor.
    expect(await invoke('supervisor:stop')).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_SENDER' } });
    // Its links leave for the system browser; its own pages stay.
    const away = { preventDefault: vi.fn() };
    win.webContents.emit('will-navigate', away, 'https://lynx.example/docs');
    expect(away.preventDefault).toHaveBeenCalled();
    expect(state.external).toEqual(['https://lynx.example/docs']);
    const inside = { preventDefault: vi.fn() };
    win.webContents.emit('will-navigate', inside, 'http://127.0.0.1:8080/devices');
    expect(inside.preventDefault).not.toHaveBeenCalled();
    expect(win.webContents.openHandler!({ url: 'http://127.0.0.1:8080/docs' })).toEqual({ action: 'deny' });

    supervisor.emit({ state: 'failed', reason: 'crashed 5 times in 60 s', httpUrl: null });
    expect(state.loads.at(-1)).toMatch(/#status$/);
  });

  it('later starts: status page, autostart, CSP on renderer responses, quitting stops the server first', async () => {
    const supervisor = new ShellFake();
    supervisor.firstRunPending = false;
    const { state, app } = await launch(supervisor);
    expect(state.loads).toEqual([expect.stringMatching(/#status$/)]);
    await vi.waitFor(() => expect(supervisor.calls.map((c) => c.method)).toContain('start'));

    const headers = await new Promise((resolve) => state.headersHook!({ url: state.loads[0], responseHeaders: {} }, resolve));
    expect(headers).toEqual({ responseHeaders: { 'Content-Security-Policy': [expect.stringContaining("script-src 'self'")] } });
    const granted = await new Promise((resolve) => state.permissionHook!({}, 'media', resolve, { requestingUrl: state.loads[0] }));
    expect(granted).toBe(false);

    supervisor.emit({ state: 'running', httpUrl: 'http://127.0.0.1:8080', pid: 9 });
    expect(state.loads.at(-1)).toBe('http://127.0.0.1:8080/');
    app.quit();
    expect(state.quitReally).toBe(false);
    await vi.waitFor(() => expect(state.quitReally).toBe(true));
    expect(supervisor.disposed).toBe(1);
    // The server stopping on the way out does not bring the status page into a closing window.
    expect(state.loads).toHaveLength(2);
  });
});
