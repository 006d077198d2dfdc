// What every AAM store can hold. The models keep to 32-bit Int and text; SQLite would take more
// (64-bit integers, NUL characters in text) where PostgreSQL refuses, so inputs are held to the
// common subset and the same input gets the same 4xx on both providers instead of a 500 on one.

/** Largest value of an Int column (ids, Unix seconds, counters). */
export const maxStoredInt = 2_147_483_647;

/**
 * Path of the first string (value or object key) holding U+0000 in a parsed JSON value, '' for the
 * value itself, or null when there is none. PostgreSQL text cannot store that character.
 */
export function nulCharacterPath(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (typeof value !== 'object' || value === null) return null;
  for (const [key, child] of Object.entries(value)) {
    const childPath = path ? `${path}.${key}` : key;
    if (key.includes('\u0000')) return childPath;
    const found = nulCharacterPath(child, childPath);
    if (found !== null) return found;
  }
  return null;
}

export function nulCharacterMessage(path: string): string {
  return `invalid ${path || 'body'}: NUL characters (\\u0000) are not allowed`;
}
