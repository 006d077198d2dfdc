import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured logs go to stdout as JSON lines (pino); the ready line is printed separately. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { app: 'lynx-server' } });
}
