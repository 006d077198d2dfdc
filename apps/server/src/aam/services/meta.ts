// Meta maps and single-key MetaObjects as installations, devices and functions share them:
// parsing what the different clients send, and who may see or change protected keys.
import { z } from 'zod';
import type { MetaObject } from '@lynx/shared';
import { BadRequestError, ForbiddenError, NotFoundError } from '../errors.js';
import type { MetaRow } from '../repositories/meta.js';

export interface MetaRights {
  view: boolean;
  edit: boolean;
}

export interface MetaWriteOptions {
  /** Do not publish the `evt/<kind>/updated` event. */
  silent?: boolean;
  /** PUT only: create the key when it does not exist instead of answering 404. */
  createMissing?: boolean;
}

export type MetaMap = Record<string, string>;

export const metaKeySchema = z.string().min(1, 'meta key must not be empty').max(255, 'meta key is longer than 255 characters');

// Meta is string→string, but JS and hand-written clients send numbers and booleans as such.
const metaValueSchema = z.union([z.string(), z.number(), z.boolean()]).transform(String);

/** A meta map in a request body; null (Go's nil map) means the same as absent. */
export const metaMapInputSchema = z
  .record(metaKeySchema, metaValueSchema)
  .nullish()
  .transform((v) => v ?? undefined);

// Maps are built with fromEntries and probed with hasOwn so keys like "__proto__" or
// "constructor" are ordinary keys.
/** zod parsing that fails with a BadRequestError naming the field, whatever the transport. */
export { parseInput } from './parse-input.js';

export function toMetaMaps(rows: readonly MetaRow[], canView: boolean): { meta: MetaMap; protected_meta: MetaMap } {
  return {
    meta: Object.fromEntries(rows.filter((r) => !r.protected).map((r) => [r.key, r.value])),
    protected_meta: canView ? Object.fromEntries(rows.filter((r) => r.protected).map((r) => [r.key, r.value])) : {},
  };
}

/**
 * MetaObject body: `{value, protected}` from most clients, `{Value, Protected}` from go-lynx (no
 * JSON tags), so names are matched without regard to case. `protected` defaults to false.
 */
export function parseMetaObject(body: unknown): MetaObject {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BadRequestError('body must be a meta object {"value": "...", "protected": false}');
  }
  let value: unknown;
  let prot: unknown;
  for (const [name, v] of Object.entries(body)) {
    const lower = name.toLowerCase();
    if (lower === 'value' && (value === undefined || name === 'value')) value = v;
    else if (lower === 'protected' && (prot === undefined || name === 'protected')) prot = v;
  }
  if (value === undefined || value === null) throw new BadRequestError('invalid value: required');
  const parsedValue = metaValueSchema.safeParse(value);
  if (!parsedValue.success) throw new BadRequestError('invalid value: must be a string');
  if (prot === 'true' || prot === 'false') prot = prot === 'true';
  if (prot !== undefined && prot !== null && typeof prot !== 'boolean') throw new BadRequestError('invalid protected: must be a boolean');
  return { value: parsedValue.data, protected: prot === true };
}

function forbidden(key: string): ForbiddenError {
  return new ForbiddenError(`missing permission to edit protected meta key "${key}"`);
}

function rowsOf(meta: MetaMap, prot: MetaMap): MetaRow[] {
  return [
    ...Object.entries(meta).map(([key, value]) => ({ key, value, protected: false })),
    ...Object.entries(prot).map(([key, value]) => ({ key, value, protected: true })),
  ];
}

/** Meta of a new object. */
export function metaForCreate(meta: MetaMap | undefined, prot: MetaMap | undefined, rights: MetaRights): MetaRow[] {
  return metaForReplace([], meta, prot, rights);
}

/**
 * Meta after a full-object PUT. An absent map keeps what is stored. Callers who cannot see
 * protected meta received `{}` and send it back, so without the view right their protected map
 * merges instead of replacing; without the edit right it may only repeat stored values.
 */
export function metaForReplace(current: readonly MetaRow[], meta: MetaMap | undefined, prot: MetaMap | undefined, rights: MetaRights): MetaRow[] {
  const stored = toMetaMaps(current, true);
  let nextProt: MetaMap = stored.protected_meta;
  if (prot !== undefined) {
    if (!rights.edit) {
      for (const [key, value] of Object.entries(prot)) {
        if (!Object.hasOwn(stored.protected_meta, key) || stored.protected_meta[key] !== value) throw forbidden(key);
      }
    } else {
      nextProt = rights.view ? { ...prot } : { ...stored.protected_meta, ...prot };
    }
  }
  const nextMeta: MetaMap = meta === undefined ? { ...stored.meta } : { ...meta };
  for (const key of Object.keys(nextMeta)) {
    if (!Object.hasOwn(nextProt, key)) continue;
    const sentProtected = prot !== undefined && Object.hasOwn(prot, key);
    if (sentProtected && meta !== undefined) throw new BadRequestError(`meta key "${key}" is in both meta and protected_meta`);
    if (sentProtected) delete nextMeta[key];
    else if (rights.edit) delete nextProt[key];
    else throw forbidden(key);
  }
  return rowsOf(nextMeta, nextProt);
}

/** GET of one key; protected keys the caller may not see do not exist for it. */
export function readMetaKey(rows: readonly MetaRow[], key: string, rights: MetaRights): MetaObject {
  const row = rows.find((r) => r.key === key);
  if (!row || (row.protected && !rights.view)) throw new NotFoundError(`meta key "${key}" not found`);
  return { value: row.value, protected: row.protected };
}

/** Checks a POST (`create`) or PUT (`update`) of one key and returns the row to store. */
export function planMetaWrite(
  rows: readonly MetaRow[],
  key: string,
  input: MetaObject,
  mode: 'create' | 'update',
  createMissing: boolean,
  rights: MetaRights,
): MetaRow {
  const row = rows.find((r) => r.key === key);
  if ((row?.protected || input.protected) && !rights.edit) throw forbidden(key);
  if (mode === 'create' && row) throw new BadRequestError(`meta key "${key}" already exists; use PUT to change it`);
  if (mode === 'update' && !row && !createMissing) throw new NotFoundError(`meta key "${key}" not found`);
  return { key, value: input.value, protected: input.protected };
}

export function planMetaDelete(rows: readonly MetaRow[], key: string, rights: MetaRights): void {
  const row = rows.find((r) => r.key === key);
  if (!row || (row.protected && !rights.view && !rights.edit)) throw new NotFoundError(`meta key "${key}" not found`);
  if (row.protected && !rights.edit) throw forbidden(key);
}

export function parseMetaKey(key: unknown): string {
  const parsed = metaKeySchema.safeParse(key);
  if (!parsed.success) throw new BadRequestError(`invalid meta key: ${parsed.error.issues[0].message}`);
  return parsed.data;
}
