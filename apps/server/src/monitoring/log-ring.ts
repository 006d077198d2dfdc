// The last few hundred server log lines in memory, for the system screen. pino writes each JSON
// line here as well as to stdout; nothing is persisted, and secrets are never logged to begin with.
import type { ServerLogLine } from '@lynx/shared';

const levelNames: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
const levelValues: Record<string, number> = Object.fromEntries(Object.entries(levelNames).map(([v, n]) => [n, Number(v)]));
/** A single huge line (a stack, a dump) is cut rather than kept whole. */
const maxLineChars = 8192;

export class LogRing {
  private readonly lines: (ServerLogLine | undefined)[];
  private next = 0;
  private count = 0;

  constructor(readonly capacity = 500) {
    this.lines = new Array<ServerLogLine | undefined>(capacity);
  }

  /** pino's destination interface: one or more newline-terminated JSON lines per call. */
  write(chunk: string): boolean {
    for (const raw of chunk.split('\n')) if (raw.trim()) this.add(raw);
    return true;
  }

  /** Newest last; `minLevel` drops lines below it (e.g. `warn`). */
  recent(limit = this.capacity, minLevel?: string): ServerLogLine[] {
    const floor = minLevel ? (levelValues[minLevel] ?? 0) : 0;
    const out: ServerLogLine[] = [];
    for (let i = 0; i < this.count; i++) {
      const line = this.lines[(this.next - this.count + i + this.capacity) % this.capacity];
      if (line && (levelValues[line.level] ?? 0) >= floor) out.push(line);
    }
    return out.slice(-Math.max(0, limit));
  }

  private add(raw: string): void {
    const line = raw.length > maxLineChars ? `${raw.slice(0, maxLineChars)}…` : raw;
    let parsed: Record<string, unknown> = {};
    try {
      parsed = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      // Not JSON (a pretty printer in between): kept as text.
    }
    const level = typeof parsed.level === 'number' ? (levelNames[parsed.level] ?? String(parsed.level)) : typeof parsed.level === 'string' ? parsed.level : 'info';
    this.lines[this.next] = {
      time: typeof parsed.time === 'number' ? parsed.time : Date.now(),
      level,
      msg: typeof parsed.msg === 'string' ? parsed.msg : line,
      component: typeof parsed.component === 'string' ? parsed.component : null,
      line,
    };
    this.next = (this.next + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  }
}

/** The process's ring: the logger writes into it, the system service reads it. */
export const serverLogRing = new LogRing();
