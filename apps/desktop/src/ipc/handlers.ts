// Main-process side of the IPC contract: validates every input against its schema, calls the
// supervisor or the shell, and answers an Envelope so errors keep their name, message and code.
import type { z } from 'zod';
import type { ServerStatus, SupervisorApi } from '../supervisor/types.js';
import { channels, statusEvent, type InvokeChannel, type ShellActions } from './channels.js';
import { IpcInputError, toEnvelope, type Envelope } from './envelope.js';
import { argumentSchemas, describeIssues } from './schemas.js';

/** The part of an IpcMainInvokeEvent the handlers look at. */
export interface IpcEventLike {
  senderFrame?: { url: string } | null;
}

/** Electron's ipcMain, or an in-memory fake in tests. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => unknown): void;
}

export interface HandlerDeps {
  supervisor: SupervisorApi;
  shell: ShellActions;
  /**
   * Only our own renderer pages may drive the supervisor; the admin UI of the server (a web page that
   * loads whatever the server serves) must not. Defaults to trusting every sender (tests).
   */
  isTrustedSender?: (event: IpcEventLike) => boolean;
}

type Handler = (...args: never[]) => unknown;

function validated<S extends z.ZodTuple>(schema: S, names: readonly string[], args: unknown[]): z.infer<S> {
  const parsed = schema.safeParse(args);
  if (!parsed.success) throw new IpcInputError(describeIssues(parsed.error, names));
  return parsed.data;
}

export function registerHandlers(ipcMain: IpcMainLike, deps: HandlerDeps): void {
  const { supervisor, shell } = deps;
  const trusted = deps.isTrustedSender ?? (() => true);

  function on<S extends z.ZodTuple>(channel: InvokeChannel, schema: S, names: readonly string[], run: (...args: z.infer<S>) => unknown): void {
    ipcMain.handle(channel, (event, ...args): Promise<Envelope<unknown>> =>
      toEnvelope(() => {
        if (!trusted(event)) throw new IpcInputError(`${channel} is only available to the desktop app's own pages`, 'FORBIDDEN_SENDER');
        return (run as Handler)(...(validated(schema, names, args) as never[]));
      }),
    );
  }

  const none = argumentSchemas.none;
  on(channels.status, none, [], () => supervisor.status());
  on(channels.start, none, [], () => supervisor.start());
  on(channels.stop, none, [], () => supervisor.stop());
  on(channels.restart, none, [], () => supervisor.restart());
  on(channels.logTail, argumentSchemas.logTail, ['lines'], (lines) => supervisor.logTail(lines));
  on(channels.logDir, none, [], () => supervisor.logDir());
  on(channels.diagnostics, none, [], () => supervisor.diagnostics());
  on(channels.backup, argumentSchemas.backup, ['file'], (file) => supervisor.backup(file));
  on(channels.restore, argumentSchemas.file, ['file'], (file) => supervisor.restore(file));
  on(channels.upgrade, argumentSchemas.file, ['bundleDir'], (dir) => supervisor.upgrade(dir));
  on(channels.settings, none, [], () => supervisor.settings());
  on(channels.updateSettings, argumentSchemas.updateSettings, ['patch'], (patch) => {
    // Rules across fields (the two ports differ) need the saved values the patch leaves alone.
    validated(argumentSchemas.updateSettings, ['patch'], [{ ...supervisor.settings(), ...patch }]);
    return supervisor.updateSettings(patch);
  });
  on(channels.firstRun, argumentSchemas.firstRun, ['settings', 'adminPassword'], (settings, password) => supervisor.firstRun(settings, password));
  on(channels.isFirstRun, none, [], () => supervisor.isFirstRun());
  on(channels.chooseFolder, argumentSchemas.chooseFolder, ['title'], (title) => shell.chooseFolder(title));
  on(channels.chooseFile, argumentSchemas.chooseFolder, ['title'], (title) => shell.chooseFile(title));
  on(channels.openLogs, none, [], () => shell.openPath(supervisor.logDir()));
  on(channels.openDataFolder, none, [], () => shell.openPath(supervisor.settings().dataDir));
  on(channels.quit, none, [], () => shell.quit());
}

/** Pushes every status change to the renderer (webContents.send in the app); returns the unsubscribe. */
export function forwardStatus(supervisor: SupervisorApi, send: (channel: string, status: ServerStatus) => void): () => void {
  return supervisor.onStatus((status) => send(statusEvent, status));
}
