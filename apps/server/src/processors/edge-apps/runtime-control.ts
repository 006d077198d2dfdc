// How the instances service tells the server-side Lua runtime (runtime/) that an instance was
// created, changed or deleted, so it restarts or stops it. The runtime implements it; until it is
// wired in, nothing happens.

export interface EdgeRuntimeControl {
  instanceChanged(installationId: number, instanceId: number): void;
}

export const noRuntimeControl: EdgeRuntimeControl = { instanceChanged: () => {} };
