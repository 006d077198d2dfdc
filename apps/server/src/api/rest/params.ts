// Small parsers for path and query values, so handlers reject bad input with a 400 naming it.
import { BadRequestError, NotFoundError } from '../../aam/errors.js';
import { maxStoredInt } from '../../aam/services/stored-values.js';

/** A row id from the path; ids beyond the Int columns name nothing on any store. */
export function intParam(value: unknown, name: string): number {
  const text = String(value ?? '');
  if (!/^[0-9]{1,15}$/.test(text)) throw new BadRequestError(`${name} must be a positive integer, got ${JSON.stringify(value)}`);
  const id = Number(text);
  if (id > maxStoredInt) throw new NotFoundError(`${name} ${id} not found`);
  return id;
}

export function boolQuery(value: unknown, name: string, fallback = false): boolean {
  if (value === undefined || value === '') return fallback;
  const text = String(Array.isArray(value) ? value[value.length - 1] : value).toLowerCase();
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  throw new BadRequestError(`${name} must be true or false, got ${JSON.stringify(value)}`);
}

/** Query parameters that are not reserved become exact-match meta filters; empty values are ignored. */
export function metaFilters(query: Record<string, unknown>, reserved: readonly string[]): Record<string, string> {
  const filters: Record<string, string> = {};
  for (const [key, raw] of Object.entries(query)) {
    if (reserved.includes(key)) continue;
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (value === undefined || value === '') continue;
    filters[key] = String(value);
  }
  return filters;
}
