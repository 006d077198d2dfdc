// Checks made before every start, so a start that cannot work ends as `failed` with a sentence the
// user can act on instead of a crash loop of a server that exits at once.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { DesktopSettings } from './types.js';

export interface PreflightProblem {
  id: 'port-in-use' | 'port-denied' | 'data-folder' | 'database';
  message: string;
  fixes: string[];
}

/** Null when the port can be listened on; else the error code (EADDRINUSE, EACCES, ...). */
export function portBlocked(host: string, port: number): Promise<string | null> {
  if (port === 0) return Promise.resolve(null);
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'ERROR'));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(null)));
  });
}

export async function portProblems(settings: DesktopSettings): Promise<PreflightProblem[]> {
  const problems: PreflightProblem[] = [];
  for (const [label, port] of [['HTTP', settings.httpPort], ['MQTT', settings.mqttPort]] as const) {
    const code = await portBlocked(settings.host, port);
    if (code === 'EADDRINUSE') {
      problems.push({
        id: 'port-in-use',
        message: `Port ${port} (${label}) is already in use by another program on this computer.`,
        fixes: [`Close the program that uses port ${port}`, `Choose another ${label} port in the settings`],
      });
    } else if (code) {
      problems.push({
        id: 'port-denied',
        message: `The server cannot listen on ${settings.host}:${port} (${label}): ${code === 'EACCES' ? 'permission denied' : code === 'EADDRNOTAVAIL' ? 'no such address on this computer' : code}.`,
        fixes: code === 'EACCES' ? ['Choose a port above 1024 in the settings'] : ['Check the listen address in the settings'],
      });
    }
  }
  return problems;
}

/**
 * With `create` (first run, a new folder chosen) a missing folder is made; otherwise a missing folder
 * is a problem: its disk may not be connected, and a server started on a new empty folder in its place
 * would look like all data was lost.
 */
export async function dataFolderProblem(dataDir: string, opts: { create: boolean }): Promise<PreflightProblem | null> {
  if (!opts.create && !existsSync(dataDir)) {
    return {
      id: 'data-folder',
      message: `The data folder ${dataDir} does not exist.`,
      fixes: ['Connect the disk that holds the data folder', 'Choose the data folder in the settings'],
    };
  }
  const probe = join(dataDir, `.write-test-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(dataDir, { recursive: true });
    await writeFile(probe, 'ok');
    await rm(probe, { force: true });
    return null;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return {
      id: 'data-folder',
      message: `The data folder ${dataDir} cannot be written (${code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ENOSPC' ? 'the disk is full' : (err as Error).message}).`,
      fixes: ['Choose a data folder your user account may write to', 'Free disk space if the disk is full'],
    };
  }
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}

export async function databaseProblem(settings: DesktopSettings, timeoutMs = 3000): Promise<PreflightProblem | null> {
  if (settings.database.kind !== 'postgres') return null;
  const url = settings.database.url;
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  // An unreachable server makes the client emit 'error' after connect() rejects: keep it from crashing us.
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (err) {
    return {
      id: 'database',
      message: `The PostgreSQL database at ${redactUrl(url)} cannot be reached: ${(err as Error).message || (err as NodeJS.ErrnoException).code}.`,
      fixes: ['Check that PostgreSQL runs and accepts connections from this computer', 'Check the database URL (host, port, user, password, database name) in the settings'],
    };
  } finally {
    await client.end().catch(() => {});
  }
}

/** Every problem that would stop a start, cheapest checks first. */
export async function preflight(settings: DesktopSettings, opts: { databaseTimeoutMs?: number } = {}): Promise<PreflightProblem[]> {
  const problems = await portProblems(settings);
  const folder = await dataFolderProblem(settings.dataDir, { create: false });
  if (folder) problems.push(folder);
  const db = await databaseProblem(settings, opts.databaseTimeoutMs);
  if (db) problems.push(db);
  return problems;
}
