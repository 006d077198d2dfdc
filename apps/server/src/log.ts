import { pino, type Logger } from 'pino';
import { serverLogRing } from './monitoring/log-ring.js';

export type { Logger };

/** Structured logs go to stdout as JSON lines (pino); the ready line is printed separately. */
export function createLogger(level: string): Logger {
  // Also kept in memory (the last few hundred lines) for the admin UI's system screen.
  const streams = pino.multistream([
    { level: 'trace', stream: pino.destination({ fd: 1, sync: true }) },
    { level: 'trace', stream: serverLogRing },
  ]);
  return pino({ level, base: { app: 'lynx-server' } }, streams);
}
