// A server left running by an app that died without stopping it (killed, crashed, power button on
// the session) still holds the ports and the data folder. Its pid is kept in <dataDir>/server/server.pid
// so the next start can stop it first — but only after checking that the process with that pid
// really runs one of our bundles, since pids are reused.
import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export function pidFile(serverRoot: string): string {
  return join(serverRoot, 'server.pid');
}

export async function writePid(serverRoot: string, pid: number): Promise<void> {
  await writeFile(pidFile(serverRoot), `${pid}\n`);
}

/** Removes the pid file; with `pid`, only while it still names that process. */
export async function clearPid(serverRoot: string, pid?: number): Promise<void> {
  if (pid !== undefined) {
    const text = await readFile(pidFile(serverRoot), 'utf8').catch(() => null);
    if (text === null || Number.parseInt(text, 10) !== pid) return;
  }
  await rm(pidFile(serverRoot), { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The command line of a process, or null where it cannot be read (Windows: never reaped). */
async function commandLine(pid: number): Promise<string | null> {
  if (process.platform === 'linux') return readFile(`/proc/${pid}/cmdline`, 'utf8').then((s) => s.split('\0').join(' '), () => null);
  if (process.platform === 'darwin') {
    return new Promise((resolve) => execFile('ps', ['-o', 'command=', '-p', String(pid)], (err, out) => resolve(err ? null : out.trim())));
  }
  return null;
}

/**
 * Stops the server a previous app run left behind, if any. Returns its pid when one was stopped,
 * null when there was none (or the pid now belongs to an unrelated program, which is left alone).
 */
export async function reapOrphan(serverRoot: string, timeoutMs: number): Promise<number | null> {
  const text = await readFile(pidFile(serverRoot), 'utf8').catch(() => null);
  const pid = text ? Number.parseInt(text, 10) : NaN;
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || !alive(pid)) {
    await clearPid(serverRoot);
    return null;
  }
  const cmd = await commandLine(pid);
  if (!cmd || !cmd.includes(join(serverRoot, 'versions'))) {
    await clearPid(serverRoot);
    return null;
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
  while (alive(pid)) await new Promise((r) => setTimeout(r, 20));
  await clearPid(serverRoot);
  return pid;
}
