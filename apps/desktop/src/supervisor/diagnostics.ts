// Health checks of the local installation, each independent (rancher-desktop style): whether it
// applies, whether it passed, and what the user can do about it.
import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { bundleProblems } from './bundle-install.js';
import { dataFolderProblem, databaseProblem, portBlocked } from './preflight.js';
import type { DesktopSettings, Diagnostic } from './types.js';

export interface DiagnosticsContext {
  settings: DesktopSettings;
  /** Ports our own server listens on right now (they are "in use", but by us). */
  ownPorts: number[];
  /** The installed bundle folder, or null when none is installed. */
  bundleDir: string | null;
  minFreeBytes: number;
}

interface Checker {
  id: string;
  description: string;
  applicable(ctx: DiagnosticsContext): boolean;
  /** Fixes when the check fails; empty when it passed. */
  check(ctx: DiagnosticsContext): Promise<string[]>;
}

function portChecker(kind: 'http' | 'mqtt'): Checker {
  const label = kind === 'http' ? 'HTTP' : 'MQTT';
  const portOf = (s: DesktopSettings) => (kind === 'http' ? s.httpPort : s.mqttPort);
  return {
    id: `port-${kind}`,
    description: `The ${label} port is free or used by the Lynx server`,
    applicable: (ctx) => portOf(ctx.settings) !== 0,
    async check(ctx) {
      const port = portOf(ctx.settings);
      if (ctx.ownPorts.includes(port)) return [];
      const code = await portBlocked(ctx.settings.host, port);
      if (!code) return [];
      if (code === 'EADDRINUSE') return [`Port ${port} (${label}) is used by another program: close it or choose another ${label} port in the settings`];
      return [`The server cannot listen on ${ctx.settings.host}:${port} (${code}): choose another port or listen address in the settings`];
    },
  };
}

/** statfs needs an existing path: walk up from the data folder until one exists. */
async function freeBytes(path: string): Promise<number> {
  for (let p = path; ; p = dirname(p)) {
    try {
      const s = await statfs(p);
      return s.bavail * s.bsize;
    } catch (err) {
      if (dirname(p) === p) throw err;
    }
  }
}

const checkers: Checker[] = [
  portChecker('http'),
  portChecker('mqtt'),
  {
    id: 'disk-space',
    description: 'The disk of the data folder has free space',
    applicable: () => true,
    async check(ctx) {
      const free = await freeBytes(ctx.settings.dataDir);
      if (free >= ctx.minFreeBytes) return [];
      const mb = (n: number) => `${Math.round(n / 1024 / 1024)} MB`;
      return [`Only ${mb(free)} are free where the data folder is (at least ${mb(ctx.minFreeBytes)} needed): free disk space`, 'Lower the retention period of time-series data', 'Move the data folder to a larger disk'];
    },
  },
  {
    id: 'data-folder',
    description: 'The data folder exists and can be written',
    applicable: () => true,
    async check(ctx) {
      const problem = await dataFolderProblem(ctx.settings.dataDir, { create: false });
      return problem ? [problem.message, ...problem.fixes] : [];
    },
  },
  {
    id: 'database',
    description: 'The PostgreSQL database answers',
    applicable: (ctx) => ctx.settings.database.kind === 'postgres',
    async check(ctx) {
      const problem = await databaseProblem(ctx.settings);
      return problem ? [problem.message, ...problem.fixes] : [];
    },
  },
  {
    id: 'bundle-integrity',
    description: 'The installed server files are intact',
    applicable: (ctx) => ctx.bundleDir !== null,
    async check(ctx) {
      const problems = await bundleProblems(ctx.bundleDir!).catch((err: Error) => [err.message]);
      return problems.length ? [`Server files are damaged (${problems.slice(0, 3).join('; ')}): reinstall the desktop app to repair them`] : [];
    },
  },
];

export async function runDiagnostics(ctx: DiagnosticsContext): Promise<Diagnostic[]> {
  return Promise.all(
    checkers.map(async (c): Promise<Diagnostic> => {
      const applicable = c.applicable(ctx);
      if (!applicable) return { id: c.id, description: c.description, applicable, passed: true, fixes: [] };
      let fixes: string[];
      try {
        fixes = await c.check(ctx);
      } catch (err) {
        fixes = [`The check itself failed: ${(err as Error).message}`];
      }
      return { id: c.id, description: c.description, applicable, passed: fixes.length === 0, fixes };
    }),
  );
}
