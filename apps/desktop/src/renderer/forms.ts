// Form values (strings and check boxes, as the DOM gives them) → DesktopSettings, validated by the
// same schemas the main process applies. No DOM here, so it is tested in plain Node.
import type { z } from 'zod';
import { adminPasswordSchema, settingsSchema } from '../ipc/schemas.js';
import type { DesktopSettings } from '../supervisor/types.js';

export interface SettingsFormValues {
  dataDir: string;
  httpPort: string;
  mqttPort: string;
  host: string;
  databaseKind: 'sqlite' | 'postgres';
  postgresUrl: string;
  adminEmail: string;
  autostartServer: boolean;
  openAtLogin: boolean;
}

export interface WizardFormValues extends SettingsFormValues {
  adminPassword: string;
  adminPasswordRepeat: string;
}

/** Keyed by form field name (the PostgreSQL URL is "postgresUrl", not "database.url"). */
export type FieldErrors = Partial<Record<keyof WizardFormValues | 'form', string>>;

export type FormResult<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

function port(text: string): number {
  // Number('') is 0 and Number(' 80 ') is 80: only plain digits count as a port.
  return /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
}

export function formFromSettings(s: DesktopSettings): SettingsFormValues {
  return {
    dataDir: s.dataDir,
    httpPort: String(s.httpPort),
    mqttPort: String(s.mqttPort),
    host: s.host,
    databaseKind: s.database.kind,
    postgresUrl: s.database.kind === 'postgres' ? s.database.url : '',
    adminEmail: s.adminEmail,
    autostartServer: s.autostartServer,
    openAtLogin: s.openAtLogin,
  };
}

function candidate(v: SettingsFormValues): unknown {
  return {
    dataDir: v.dataDir.trim(),
    httpPort: port(v.httpPort),
    mqttPort: port(v.mqttPort),
    host: v.host.trim(),
    database: v.databaseKind === 'postgres' ? { kind: 'postgres', url: v.postgresUrl.trim() } : { kind: 'sqlite' },
    adminEmail: v.adminEmail.trim(),
    autostartServer: v.autostartServer,
    openAtLogin: v.openAtLogin,
  };
}

function fieldErrors(error: z.ZodError, errors: FieldErrors = {}): FieldErrors {
  for (const issue of error.issues) {
    const [first, second] = issue.path;
    const field = (first === 'database' ? (second === 'url' ? 'postgresUrl' : 'databaseKind') : String(first ?? 'form')) as keyof FieldErrors;
    errors[field] ??= issue.message;
  }
  return errors;
}

export function settingsFromForm(values: SettingsFormValues): FormResult<DesktopSettings> {
  const parsed = settingsSchema.safeParse(candidate(values));
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, errors: fieldErrors(parsed.error) };
}

export function wizardFromForm(values: WizardFormValues): FormResult<{ settings: DesktopSettings; adminPassword: string }> {
  const settings = settingsSchema.safeParse(candidate(values));
  const password = adminPasswordSchema.safeParse(values.adminPassword);
  const errors: FieldErrors = settings.success ? {} : fieldErrors(settings.error);
  if (!password.success) errors.adminPassword = password.error.issues[0]?.message ?? 'is not valid';
  if (values.adminPasswordRepeat !== values.adminPassword) errors.adminPasswordRepeat = 'must be the same password';
  if (!settings.success || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: { settings: settings.data, adminPassword: values.adminPassword } };
}

/** Only what changed, so the supervisor restarts the server only when it has to. */
export function settingsPatch(before: DesktopSettings, after: DesktopSettings): Partial<DesktopSettings> {
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(after) as (keyof DesktopSettings)[]) {
    if (JSON.stringify(after[key]) !== JSON.stringify(before[key])) patch[key] = after[key];
  }
  return patch as Partial<DesktopSettings>;
}
