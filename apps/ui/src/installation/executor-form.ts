// The notification executor dialog's state: the fields of the built-in types (webhook: url;
// email: SMTP host, port, user, tls, from, subject) plus any other config keys as rows, and the
// write-only secret (the webhook's X-API-Key, the SMTP password), which is kept unless replaced.
import { maskedSecret, type NotificationExecutor } from '@lynx/shared';
import { recordFromRows, rowsFromRecord, type KeyValueRow } from '../components/key-value-editor.js';

export const executorFieldKeys = {
  webhook: ['url'],
  email: ['host', 'port', 'user', 'tls', 'from', 'subject', 'insecure'],
} as const;

export type BuiltinType = keyof typeof executorFieldKeys;

export interface ExecutorForm {
  name: string;
  type: string;
  fields: Record<string, string>;
  extra: KeyValueRow[];
  /** New secret; "" keeps the stored one. */
  secret: string;
  hasStoredSecret: boolean;
  clearSecret: boolean;
}

const fieldKeysOf = (type: string): readonly string[] => (type === 'email' ? executorFieldKeys.email : executorFieldKeys.webhook);

export function blankExecutorForm(): ExecutorForm {
  return { name: '', type: 'webhook', fields: {}, extra: [], secret: '', hasStoredSecret: false, clearSecret: false };
}

export function executorFormFrom(e: NotificationExecutor): ExecutorForm {
  const keys = fieldKeysOf(e.type);
  const fields: Record<string, string> = {};
  for (const k of keys) if (e.config[k] !== undefined) fields[k] = e.config[k];
  return { name: e.name, type: e.type, fields, extra: rowsFromRecord(e.config, keys), secret: '', hasStoredSecret: e.secret === maskedSecret, clearSecret: false };
}

/** Switching type keeps what the user typed: fields the new type has no input for move to the rows. */
export function changeExecutorType(form: ExecutorForm, type: string): ExecutorForm {
  const keys = fieldKeysOf(type);
  const fields: Record<string, string> = {};
  const extra = [...form.extra];
  for (const [k, v] of Object.entries(form.fields)) {
    if (keys.includes(k)) fields[k] = v;
    else if (v.trim() !== '') extra.push({ key: k, value: v });
  }
  for (let i = extra.length - 1; i >= 0; i--) {
    const row = extra[i]!;
    if (keys.includes(row.key) && fields[row.key] === undefined) {
      fields[row.key] = row.value;
      extra.splice(i, 1);
    }
  }
  return { ...form, type, fields, extra };
}

export interface ExecutorWrite {
  name: string;
  type: string;
  config: Record<string, string>;
  secret?: string;
}

/** The body for create/update, or the first problem the form can tell before the server does. */
export function executorWrite(form: ExecutorForm): { write: ExecutorWrite } | { error: string } {
  const rows = recordFromRows(form.extra);
  if ('error' in rows) return rows;
  const config: Record<string, string> = { ...rows.record };
  for (const [k, v] of Object.entries(form.fields)) {
    if (k in rows.record) return { error: `The setting "${k}" is given twice` };
    if (v.trim() !== '') config[k] = v.trim();
  }
  const write: ExecutorWrite = { name: form.name.trim(), type: form.type.trim(), config };
  // Absent keeps the stored secret on the server; "" clears it.
  if (form.secret !== '') write.secret = form.secret;
  else if (form.clearSecret) write.secret = '';
  return { write };
}
