// The IPC contract end to end without Electron: renderer API → fake ipcRenderer → handlers →
// fake supervisor, and back, including what contextBridge does to errors.
import { beforeEach, describe, expect, it } from 'vitest';
import { createDesktopApi } from '../preload/desktop-api.js';
import { channels, statusEvent, type DesktopApi } from './channels.js';
import { DesktopError, fromBridge, toBridge, type DesktopBridge } from './envelope.js';
import { FakeSupervisor, fakeIpc, fakeShell, sampleSettings, sampleStatus } from './fake-ipc.test-helpers.js';
import { forwardStatus, registerHandlers } from './handlers.js';

const rendererRoot = 'file:///opt/lynx/resources/app.asar/dist/renderer/';

function setup() {
  const ipc = fakeIpc();
  const supervisor = new FakeSupervisor();
  const shell = fakeShell();
  registerHandlers(ipc.ipcMain, { supervisor, shell: shell.shell, isTrustedSender: (e) => !!e.senderFrame?.url.startsWith(rendererRoot) });
  const api = createDesktopApi(ipc.ipcRenderer);
  return { ipc, supervisor, shell, api };
}

async function rejection(promise: Promise<unknown>): Promise<DesktopError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DesktopError);
  return err as DesktopError;
}

describe('desktop IPC', () => {
  let t: ReturnType<typeof setup>;
  beforeEach(() => {
    t = setup();
  });

  it('registers one handler per channel and exposes one API method per channel', () => {
    expect([...t.ipc.handlers.keys()].sort()).toEqual(Object.values(channels).sort());
    expect(Object.keys(t.api).sort()).toEqual([...Object.keys(channels), 'onStatus'].sort());
  });

  it('calls the supervisor and returns its answers', async () => {
    expect(await t.api.start()).toMatchObject({ state: 'running', httpUrl: 'http://127.0.0.1:8080' });
    expect(await t.api.logTail(2)).toEqual(['line 0', 'line 1']);
    expect(await t.api.backup()).toEqual({ file: '/home/fm/lynx-data/backups/b.tar.gz', bytes: 1024 });
    expect(await t.api.updateSettings({ httpPort: 9090, openAtLogin: true })).toMatchObject({ httpPort: 9090, openAtLogin: true });
    expect(await t.api.firstRun({ ...sampleSettings, database: { kind: 'postgres', url: 'postgresql://lynx:secret@db.local:5432/lynx' } }, 'correct horse battery')).toMatchObject({ state: 'running' });
    const calls = t.supervisor.calls.filter((c) => c.method !== 'settings');
    expect(calls.map((c) => c.method)).toEqual(['start', 'logTail', 'backup', 'updateSettings', 'firstRun']);
    expect(calls[4].args[1]).toBe('correct horse battery');
  });

  it('refuses bad input before the supervisor sees it, naming the field', async () => {
    const cases: [() => Promise<unknown>, RegExp][] = [
      [() => t.api.updateSettings({ httpPort: 70000 }), /^httpPort: must be a whole number between 1 and 65535$/],
      [() => t.api.updateSettings({ httpPort: 1883 }), /^mqttPort: must differ from the HTTP port$/],
      [() => t.api.updateSettings({ adminEmail: 'nobody' }), /^adminEmail: must be an e-mail address$/],
      [() => t.api.updateSettings({ nodeOptions: '--inspect' } as never), /nodeOptions/],
      [() => t.api.firstRun(sampleSettings, 'short'), /^adminPassword: must be at least 12 characters$/],
      [() => t.api.firstRun({ ...sampleSettings, database: { kind: 'postgres', url: 'mysql://db/lynx' } }, 'long enough password'), /^database\.url: must look like postgresql:\/\//],
      [() => t.api.firstRun({ ...sampleSettings, dataDir: 'relative/data' }, 'long enough password'), /^dataDir: must be an absolute path$/],
      [() => t.api.restore('backup.tar.gz'), /^file: must be an absolute path$/],
      [() => t.api.logTail(0), /^lines: must be at least 1$/],
    ];
    for (const [call, expected] of cases) {
      const err = await rejection(call());
      expect(err.name).toBe('ValidationError');
      expect(err.code).toBe('INVALID_INPUT');
      expect(err.message, String(expected)).toMatch(expected);
    }
    // The merged check of updateSettings reads the saved settings; nothing was changed or started.
    expect(t.supervisor.calls.filter((c) => c.method !== 'settings')).toEqual([]);
  });

  it('refuses extra arguments sent past the typed API', async () => {
    const err = await rejection(createDesktopApi({ ...t.ipc.ipcRenderer, invoke: (channel) => t.ipc.ipcRenderer.invoke(channel, 'extra') }).stop());
    expect(err.code).toBe('INVALID_INPUT');
    expect(t.supervisor.calls).toEqual([]);
  });

  it("returns the supervisor's own errors with name, message and code", async () => {
    t.supervisor.failures.set('start', Object.assign(new RangeError('port 8080 is in use by another program'), { code: 'EADDRINUSE' }));
    const err = await rejection(t.api.start());
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ name: 'RangeError', message: 'port 8080 is in use by another program', code: 'EADDRINUSE' });
  });

  it('keeps name and code across the context bridge, which drops custom error properties', async () => {
    t.supervisor.failures.set('restore', Object.assign(new Error('the archive is damaged: checksum mismatch in aam.db'), { name: 'RestoreError', code: 'BAD_ARCHIVE' }));
    // contextBridge copies plain data; structuredClone is the closest stand-in.
    const bridged = structuredClone(Object.fromEntries(Object.entries(toBridge(t.api)).filter(([, v]) => typeof v !== 'function'))) as object;
    expect(bridged).toEqual({});
    const api: DesktopApi = fromBridge(toBridge(t.api) as DesktopBridge);
    const envelope = await toBridge(t.api).restore('/home/fm/backup.tar.gz');
    expect(structuredClone(envelope)).toEqual({ ok: false, error: { name: 'RestoreError', message: 'the archive is damaged: checksum mismatch in aam.db', code: 'BAD_ARCHIVE' } });
    const err = await rejection(api.restore('/home/fm/backup.tar.gz'));
    expect(err).toMatchObject({ name: 'RestoreError', code: 'BAD_ARCHIVE' });
    expect(await api.diagnostics()).toHaveLength(1);
  });

  it('pushes status changes to the renderer until it unsubscribes', async () => {
    const stop = forwardStatus(t.supervisor, t.ipc.send);
    const seen: string[] = [];
    const unsubscribe = t.api.onStatus((s) => seen.push(s.state));
    t.supervisor.emit({ state: 'starting' });
    t.supervisor.emit({ state: 'running', httpUrl: 'http://127.0.0.1:8080' });
    unsubscribe();
    t.supervisor.emit({ state: 'stopping' });
    expect(seen).toEqual(['starting', 'running']);
    expect(t.ipc.listeners.get(statusEvent)?.size).toBe(0);
    stop();
  });

  it('answers pages that are not our own renderer (the admin UI) with a refusal', async () => {
    t.ipc.state.senderUrl = 'http://127.0.0.1:8080/';
    const err = await rejection(t.api.backup());
    expect(err).toMatchObject({ name: 'AccessError', code: 'FORBIDDEN_SENDER' });
    expect(t.supervisor.calls).toEqual([]);
  });

  it('runs the shell actions with paths from the supervisor, never from the page', async () => {
    await t.api.openLogs();
    await t.api.openDataFolder();
    expect(t.shell.opened).toEqual(['/home/fm/lynx-data/logs', '/home/fm/lynx-data']);
    expect(await t.api.chooseFolder('Data folder')).toBe('/home/fm/chosen');
    expect(await t.api.chooseFolder('cancel')).toBeNull();
    await t.api.quit();
    expect(t.shell.quits()).toBe(1);
  });

  it('turns an unexpected answer into a DesktopError rather than undefined', async () => {
    const api = createDesktopApi({ ...t.ipc.ipcRenderer, invoke: async () => 'not an envelope' });
    expect(await rejection(api.status())).toMatchObject({ name: 'ProtocolError', code: 'BAD_ENVELOPE' });
    expect(sampleStatus().state).toBe('stopped');
  });
});
