import type { ServerConfig } from '../config/schema.js';

/** One line a person can act on, for the errors start-up commonly meets. */
export function describeStartError(err: unknown, config: ServerConfig): string {
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number; cause?: { code?: string } };
  if (e?.code === 'EADDRINUSE') return `cannot listen on ${e.address ?? config.host}:${e.port ?? '?'}: the port is already in use (set another with --http-port / --mqtt-port)`;
  if (e?.code === 'EACCES') return `cannot listen on ${config.host}:${e.port ?? '?'}: permission denied (ports below 1024 need privileges)`;
  if (e?.code === 'EADDRNOTAVAIL') return `cannot listen on ${config.host}: no such local address (check --host)`;
  const message = e instanceof Error ? e.message : String(err);
  // Already one line naming the (password-free) URL and what to check.
  if (e instanceof Error && e.name === 'RedisUnavailableError') return message;
  if (/LOCK|lock held|Resource temporarily unavailable/i.test(message) || e?.code === 'LEVEL_DATABASE_NOT_OPEN' || e?.cause?.code === 'LEVEL_LOCKED') {
    return `data dir ${config.dataDir} is in use by another lynx-server (${message.split('\n')[0]})`;
  }
  return `start-up failed: ${message.split('\n')[0]}`;
}
