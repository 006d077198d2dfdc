// The facility manager's choices, kept as one JSON file in the app's config folder. Written atomically
// (temp file + rename) so a crash mid-write never leaves half a settings file behind.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import type { DesktopSettings } from './types.js';

// 0 is allowed because the server takes it as "any free port" (tests use it); the wizard asks for 1-65535.
const port = z.number().int().min(0).max(65535);

export const desktopSettingsSchema = z.object({
  dataDir: z.string().min(1).refine(isAbsolute, 'must be an absolute path'),
  httpPort: port,
  mqttPort: port,
  host: z.string().min(1),
  database: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('sqlite') }),
    z.object({ kind: z.literal('postgres'), url: z.string().regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgresql:// URL') }),
  ]),
  adminEmail: z.string().email(),
  autostartServer: z.boolean(),
  openAtLogin: z.boolean(),
}).refine((s) => s.httpPort === 0 || s.httpPort !== s.mqttPort, { message: 'the HTTP and MQTT ports must differ', path: ['mqttPort'] });

export class SettingsError extends Error {
  readonly code = 'INVALID_SETTINGS';
}

export function defaultSettings(dataDir: string): DesktopSettings {
  return {
    dataDir,
    httpPort: 8080,
    mqttPort: 1883,
    host: '127.0.0.1',
    database: { kind: 'sqlite' },
    adminEmail: 'admin@lynx.local',
    autostartServer: true,
    openAtLogin: false,
  };
}

/** Validates settings; the error names the field so the wizard can point at it. */
export function validateSettings(input: unknown): DesktopSettings {
  const parsed = desktopSettingsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SettingsError(`invalid setting ${issue.path.join('.') || '(settings)'}: ${issue.message}`);
  }
  return parsed.data as DesktopSettings;
}

export class SettingsStore {
  readonly file: string;

  constructor(readonly configDir: string) {
    this.file = join(configDir, 'settings.json');
  }

  exists(): boolean {
    return existsSync(this.file);
  }

  /** The saved settings, or null before the first run. A damaged file is an error, not a silent reset. */
  async load(): Promise<DesktopSettings | null> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new SettingsError(`settings file ${this.file} is not valid JSON`);
    }
    return validateSettings(json);
  }

  async save(settings: DesktopSettings): Promise<DesktopSettings> {
    const valid = validateSettings(settings);
    await mkdir(this.configDir, { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    // 0600: a PostgreSQL URL may carry a password.
    await writeFile(tmp, `${JSON.stringify(valid, null, 2)}\n`, { mode: 0o600 });
    await rename(tmp, this.file);
    return valid;
  }
}
