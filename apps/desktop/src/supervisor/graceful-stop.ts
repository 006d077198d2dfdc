// Stopping the server: a shutdown request on its control socket, else SIGTERM, lets it flush and close
// its stores (it exits 0); a server that hangs gets SIGKILL after a timeout so quitting the app never
// waits forever. The request comes first because on Windows SIGTERM cannot be caught: it kills.
import type { ChildProcess } from 'node:child_process';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export function exitOf(child: ChildProcess): Promise<ExitInfo> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

export interface StopResult extends ExitInfo {
  /** True when the timeout ran out and the process had to be killed. */
  killed: boolean;
}

export async function gracefulStop(child: ChildProcess, timeoutMs: number, requestStop?: () => Promise<boolean>): Promise<StopResult> {
  const exited = exitOf(child);
  if (child.exitCode !== null || child.signalCode !== null) return { ...(await exited), killed: false };
  const accepted = requestStop ? await requestStop().catch(() => false) : false;
  if (!accepted && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const first = await Promise.race([exited, timedOut]);
  clearTimeout(timer);
  if (first !== 'timeout') return { ...first, killed: false };
  child.kill('SIGKILL');
  return { ...(await exited), killed: true };
}
