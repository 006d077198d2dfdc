// One meta entry as every *Meta table stores it; a key is either normal or protected, never both.
export interface MetaRow {
  key: string;
  value: string;
  protected: boolean;
}

export function toMetaRows(rows: readonly MetaRow[]): MetaRow[] {
  return rows.map(({ key, value, protected: p }) => ({ key, value, protected: p }));
}

/** Meta relations are read in key order so maps serialize the same way every time. */
export const metaInclude = { meta: { orderBy: { key: 'asc' } } } as const;

/**
 * Splits id lists so `IN (...)` stays far below SQLite's bound-parameter limit whatever the size
 * of a caller's reach.
 */
export function chunks<T>(items: readonly T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
