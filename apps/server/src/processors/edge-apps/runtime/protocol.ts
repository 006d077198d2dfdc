// Messages between the supervisor (main thread) and one instance's worker. Data crosses as
// structured clones; Lua never sees these shapes, only the packages the prelude builds on them.

import type { MessagePort } from 'node:worker_threads';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface AppInfo {
  id: number;
  name: string;
  installation_id: number;
}

/** Everything a worker needs to run one instance, passed as `workerData`. */
export interface WorkerInit {
  source: string;
  config: unknown;
  app: AppInfo;
  clientId: number;
  functions: unknown[];
  devices: unknown[];
  /** Call `onCreate` after `onStart`: the instance runs for the first time. */
  firstRun: boolean;
  /** Lua allocation cap in bytes. */
  luaMemoryBytes: number;
  /** How long a synchronous host call may take before Lua gets an error. */
  hostCallTimeoutMs: number;
  /** Float64Array(1): when the running callback started (ms since epoch), 0 when idle. */
  /** Float64 slots, see `heartbeatSlot`. */
  heartbeat: SharedArrayBuffer;
  /** Int32Array(1): set to 1 by the main thread when a host call's reply is on `replyPort`. */
  signal: SharedArrayBuffer;
  replyPort: MessagePort;
  /** Int32Array(1): bus messages posted to the worker and not yet handled (the supervisor drops beyond a limit). */
  backlog: SharedArrayBuffer;
}

export type ToWorker =
  | { type: 'message'; topic: string; payload: string; retained: boolean }
  | { type: 'functions'; list: unknown[] }
  | { type: 'devices'; list: unknown[] }
  /** `destroy`: the instance was deleted (onDestroy), else it is asked to exit (onExit). */
  | { type: 'stop'; destroy: boolean };

export type FromWorker =
  | { type: 'started' }
  | { type: 'log'; level: LogLevel; message: string }
  | { type: 'sub'; filter: string }
  | { type: 'unsub'; filter: string }
  | { type: 'pub'; topic: string; payload: string; retain: boolean; qos: number }
  | { type: 'call'; id: number; op: string; args: unknown[] }
  /** The app failed (an error escaped a callback): the supervisor treats it as a crash. */
  | { type: 'fatal'; message: string }
  | { type: 'stopped' };

export type HostReply = { id: number; value?: unknown; error?: string };

/** Slots of the shared heartbeat the worker writes and the supervisor's watchdog reads. */
export const heartbeatSlot = {
  /** Wall start of the running callback (moved on by host-call waits), 0 when idle or waiting. */
  callbackStart: 0,
  /** The worker's OS thread id, for its CPU clock; 0 where unknown. */
  threadId: 1,
  /** Callbacks begun so far: tells the watchdog a new callback from a long one. */
  callbackCount: 2,
} as const;
export const heartbeatSlots = 3;
