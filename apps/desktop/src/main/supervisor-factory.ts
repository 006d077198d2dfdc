// The one place the shell constructs the supervisor; everything else sees SupervisorApi only.
import path from 'node:path';
import { Supervisor } from '../supervisor/supervisor.js';
import type { SupervisorApi } from '../supervisor/types.js';

export interface ShellSupervisor extends SupervisorApi {
  /** Stops the server (flushing its stores) when the app quits. */
  dispose(): Promise<void>;
}

export function createShellSupervisor(opts: { configDir: string; bundleDir: string }): Promise<ShellSupervisor> {
  return Supervisor.create({
    configDir: opts.configDir,
    // The wizard proposes the data folder inside the app's own folder of the user profile.
    defaultDataDir: path.join(opts.configDir, 'data'),
    bundleSource: opts.bundleDir,
  });
}
