// What every AAM store can hold. The models keep to 32-bit Int and text; SQLite would take more
// (64-bit integers, NUL characters in text) where PostgreSQL refuses, so inputs are held to the
// common subset and the same input gets the same 4xx on both providers instead of a 500 on one.

/** Largest value of an Int column (ids, Unix seconds, counters). */
export const maxStoredInt = 2_147_483_647;

/**
 * Path of the first string (value or object key) holding U+0000 in a parsed JSON value, '' for the
 * value itself, or null when there is none. PostgreSQL text cannot store that character.
 * Walks with its own stack and builds the path only when found: a body nested a hundred thousand
 * levels deep would overflow the call stack of a recursive walk (a 500) and make every path long.
 */
export function nulCharacterPath(value: unknown): string | null {
  type Visit = { value: unknown; key: string | null; parent: Visit | null };
  const pathOf = (visit: Visit): string => {
    const keys: string[] = [];
    for (let v: Visit | null = visit; v && v.key !== null; v = v.parent) keys.push(v.key);
    return keys.reverse().join('.');
  };
  const stack: Visit[] = [{ value, key: null, parent: null }];
  while (stack.length) {
    const visit = stack.pop()!;
    if (visit.key?.includes('\u0000')) return pathOf(visit);
    if (typeof visit.value === 'string') {
      if (visit.value.includes('\u0000')) return pathOf(visit);
    } else if (typeof visit.value === 'object' && visit.value !== null) {
      const entries = Object.entries(visit.value);
      for (let i = entries.length - 1; i >= 0; i--) stack.push({ value: entries[i][1], key: entries[i][0], parent: visit });
    }
  }
  return null;
}

export function nulCharacterMessage(path: string): string {
  return `invalid ${path || 'body'}: NUL characters (\\u0000) are not allowed`;
}
