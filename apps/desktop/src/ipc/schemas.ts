// Input schemas for every IPC call. The main process validates with them (the renderer is not
// trusted), and the renderer's forms reuse them so the user sees the same message before sending.
// No Node imports: this file is bundled into the renderer too.
import { z } from 'zod';

const portMessage = 'must be a whole number between 1 and 65535';
export const portSchema = z.number({ error: portMessage }).int(portMessage).min(1, portMessage).max(65535, portMessage);

/** Absolute on Linux/macOS (/...), Windows (C:\... or \\server\share). Relative paths would depend on the app's cwd. */
const absolutePath = /^(\/|[A-Za-z]:[\\/]|\\\\[^\\]+\\)/;
export const pathSchema = z
  .string({ error: 'must be a path' })
  .min(1, 'must not be empty')
  .max(4096, 'is too long')
  .refine((p) => !p.includes('\0'), 'must not contain a NUL character')
  .refine((p) => absolutePath.test(p), 'must be an absolute path');

export const hostSchema = z
  .string({ error: 'must be an address' })
  .min(1, 'must not be empty')
  .max(253, 'is too long')
  .regex(/^[A-Za-z0-9.:\-[\]%]+$/, 'must be an IP address or a host name (127.0.0.1 for this computer only, 0.0.0.0 for the network)');

export const postgresUrlSchema = z
  .string({ error: 'must be a PostgreSQL URL' })
  .refine((u) => {
    try {
      const url = new URL(u);
      return (url.protocol === 'postgresql:' || url.protocol === 'postgres:') && url.pathname.length > 1;
    } catch {
      return false;
    }
  }, 'must look like postgresql://user:password@host:5432/database');

export const databaseSchema = z.discriminatedUnion(
  'kind',
  [z.strictObject({ kind: z.literal('sqlite') }), z.strictObject({ kind: z.literal('postgres'), url: postgresUrlSchema })],
  { error: 'kind must be "sqlite" or "postgres"' },
);

// Strict objects: an unknown key is a mistake (or a probe), never silently dropped.
const settingsShape = z.strictObject({
  dataDir: pathSchema,
  httpPort: portSchema,
  mqttPort: portSchema,
  host: hostSchema,
  database: databaseSchema,
  adminEmail: z.email({ error: 'must be an e-mail address' }),
  autostartServer: z.boolean({ error: 'must be true or false' }),
  openAtLogin: z.boolean({ error: 'must be true or false' }),
});

function distinctPorts(s: { httpPort?: number; mqttPort?: number }, ctx: z.RefinementCtx): void {
  if (s.httpPort !== undefined && s.httpPort === s.mqttPort) {
    ctx.addIssue({ code: 'custom', path: ['mqttPort'], message: 'must differ from the HTTP port' });
  }
}

export const settingsSchema = settingsShape.superRefine(distinctPorts);
export const settingsPatchSchema = settingsShape.partial().superRefine(distinctPorts);

export const adminPasswordSchema = z
  .string({ error: 'must be a password' })
  .min(12, 'must be at least 12 characters')
  .max(1024, 'is too long');

export const logLinesSchema = z.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(10_000, 'must be at most 10000');
export const dialogTitleSchema = z.string().max(200, 'is too long').optional();

/**
 * The arguments of each invoke channel, as a tuple; the labels name the arguments in error messages.
 * Channels without input take an empty tuple: extra arguments are refused too.
 */
export const argumentSchemas = {
  none: z.tuple([]),
  logTail: z.tuple([logLinesSchema]),
  backup: z.tuple([pathSchema.optional()]),
  file: z.tuple([pathSchema]),
  updateSettings: z.tuple([settingsPatchSchema]),
  firstRun: z.tuple([settingsSchema, adminPasswordSchema]),
  chooseFolder: z.tuple([dialogTitleSchema]),
};

/** "httpPort: must be a whole number between 1 and 65535; adminEmail: must be an e-mail address" */
export function describeIssues(error: z.ZodError, argumentNames: readonly string[] = []): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map((part, i) => (i === 0 && typeof part === 'number' && argumentNames[part] !== undefined ? argumentNames[part] : String(part)));
      // The first element is the argument's index; settings fields read better without "settings.".
      const shown = path.length > 1 && (path[0] === 'settings' || path[0] === 'patch') ? path.slice(1) : path;
      return shown.length ? `${shown.join('.')}: ${issue.message}` : issue.message;
    })
    .join('; ');
}
