// Per-thread CPU time on Linux, read from /proc: Node 20 has no per-thread CPU clock
// (process.cpuUsage is the whole process), and a callback's limit must not fire because the
// machine is busy and the worker waits for a core. Elsewhere the caller falls back to wall time.
import { readFileSync, readlinkSync } from 'node:fs';

/** Linux reports task times in USER_HZ ticks, 100 per second on every architecture Node ships for. */
const msPerTick = 10;

/** The OS thread id of the calling thread, or 0 where /proc/thread-self is not available. */
export function currentThreadId(): number {
  try {
    // "<pid>/task/<tid>"
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isSafeInteger(tid) && tid > 0 ? tid : 0;
  } catch {
    return 0;
  }
}

/** CPU milliseconds (user + system) the thread `tid` of this process has used; null when unreadable. */
export function threadCpuMs(tid: number): number | null {
  if (!tid) return null;
  try {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // The thread name (field 2) may hold spaces and parentheses: fields are counted after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * msPerTick : null;
  } catch {
    return null;
  }
}
