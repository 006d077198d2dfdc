// An edge-app version's app.json (`input` + `guide`) as form fields, and back to the instance
// `config` the runtime reads. Input types the form cannot draw (e.g. `repeat`) become JSON fields,
// so every app can still be configured.

export type FieldKind = 'text' | 'number' | 'toggle' | 'function' | 'functions' | 'device' | 'devices' | 'output' | 'outputs' | 'json';

export interface AppField {
  key: string;
  kind: FieldKind;
  label: string;
  description?: string;
  required: boolean;
  default?: unknown;
  min?: number;
  max?: number;
  multiline?: boolean;
  /** Toggle values written to the config (defaults true / false). */
  trueValue?: unknown;
  falseValue?: unknown;
  /** Function/device types a selector offers (empty: all). */
  types: string[];
  /** The guide step it belongs to. */
  group?: string;
}

/** What a field holds while the form is edited: strings for text inputs, ids for selectors. */
export type FieldValue = string | boolean | number | null | number[];

const kinds: Record<string, FieldKind> = {
  text: 'text',
  string: 'text',
  number: 'number',
  toggle: 'toggle',
  boolean: 'toggle',
  single_function_selector: 'function',
  multi_function_selector: 'functions',
  single_device_selector: 'device',
  multi_device_selector: 'devices',
  single_notification_output_selector: 'output',
  multi_notification_output_selector: 'outputs',
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
const finite = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined);

function filterTypes(filter: unknown): string[] {
  if (!isObject(filter)) return [];
  const t = filter.type;
  if (typeof t === 'string') return [t];
  if (Array.isArray(t)) return t.filter((x): x is string => typeof x === 'string');
  return [];
}

/** The fields of an app.json, in guide order (then the rest in file order); [] when it has no `input`. */
export function fieldsFromAppJson(appJson: unknown): AppField[] {
  if (!isObject(appJson) || !isObject(appJson.input)) return [];
  const fields = new Map<string, AppField>();
  for (const [key, raw] of Object.entries(appJson.input)) {
    const spec = isObject(raw) ? raw : {};
    const type = typeof spec.type === 'string' ? spec.type : 'text';
    fields.set(key, {
      key,
      kind: kinds[type] ?? 'json',
      label: str(spec.name) ?? key,
      description: str(spec.description),
      required: spec.required === true,
      default: spec.default,
      min: finite(spec.min),
      max: finite(spec.max),
      multiline: spec.multiline === true,
      trueValue: spec.true_value,
      falseValue: spec.false_value,
      types: filterTypes(spec.filter),
    });
  }
  const ordered: AppField[] = [];
  if (Array.isArray(appJson.guide)) {
    for (const step of appJson.guide) {
      if (!isObject(step) || !Array.isArray(step.input_fields)) continue;
      const group = str(step.title);
      for (const key of step.input_fields) {
        const f = typeof key === 'string' ? fields.get(key) : undefined;
        if (!f || ordered.includes(f)) continue;
        ordered.push({ ...f, group });
      }
    }
  }
  for (const f of fields.values()) if (!ordered.some((o) => o.key === f.key)) ordered.push(f);
  return ordered;
}

const ids = (v: unknown): number[] => (Array.isArray(v) ? v : v === undefined || v === null || v === '' ? [] : [v]).map(Number).filter((n) => Number.isInteger(n) && n > 0);

/** A config value (stored, or the field's default) as the form holds it. */
export function toFieldValue(field: AppField, value: unknown): FieldValue {
  const v = value === undefined ? field.default : value;
  switch (field.kind) {
    case 'toggle':
      if (field.trueValue !== undefined && v === field.trueValue) return true;
      if (field.falseValue !== undefined && v === field.falseValue) return false;
      return v === true || v === 'true' || v === 1;
    case 'number':
      return v === undefined || v === null ? '' : String(v);
    case 'text':
      return v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v);
    case 'function':
    case 'device':
    case 'output':
      return ids(v)[0] ?? null;
    case 'functions':
    case 'devices':
    case 'outputs':
      return ids(v);
    case 'json':
      return v === undefined ? '' : JSON.stringify(v, null, 2);
  }
}

export function initialValues(fields: AppField[], config: Record<string, unknown>): Record<string, FieldValue> {
  return Object.fromEntries(fields.map((f) => [f.key, toFieldValue(f, config[f.key])]));
}

/**
 * The instance config from the form, or the problems per field. Keys of `base` that the app.json
 * does not describe are kept, so saving through the form never drops what the API wrote.
 */
export function configFromValues(fields: AppField[], values: Record<string, FieldValue>, base: Record<string, unknown> = {}): { config: Record<string, unknown>; errors: Record<string, string> } {
  const config: Record<string, unknown> = { ...base };
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const v = values[f.key];
    const empty = v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
    delete config[f.key];
    if (f.kind === 'toggle') {
      const on = v === true;
      config[f.key] = on ? (f.trueValue ?? true) : (f.falseValue ?? false);
      continue;
    }
    if (empty) {
      if (f.required) errors[f.key] = `${f.label} is required`;
      continue;
    }
    if (f.kind === 'number') {
      const n = Number(String(v).trim());
      if (!Number.isFinite(n)) errors[f.key] = `${f.label} must be a number`;
      else if (f.min !== undefined && n < f.min) errors[f.key] = `${f.label} must be at least ${f.min}`;
      else if (f.max !== undefined && n > f.max) errors[f.key] = `${f.label} must be at most ${f.max}`;
      else config[f.key] = n;
    } else if (f.kind === 'json') {
      try {
        config[f.key] = JSON.parse(String(v));
      } catch (err) {
        errors[f.key] = `${f.label} is not valid JSON: ${(err as Error).message}`;
      }
    } else {
      config[f.key] = v;
    }
  }
  return { config, errors };
}

/** A JSON editor's text as a config object, or why it is not one. */
export function parseConfigJson(text: string): { config: Record<string, unknown> } | { error: string } {
  let value: unknown;
  try {
    value = text.trim() === '' ? {} : JSON.parse(text);
  } catch (err) {
    return { error: `Not valid JSON: ${(err as Error).message}` };
  }
  if (!isObject(value)) return { error: 'The configuration must be a JSON object, e.g. {"functions": [7]}' };
  return { config: value };
}
