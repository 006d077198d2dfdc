// Search, sort and paging of table rows, kept pure so the table component stays thin and tested.

export interface Column<T> {
  key: string;
  header: string;
  /** The value searched and sorted by; render() may show it differently. */
  value: (row: T) => string | number | null | undefined;
  sortable?: boolean;
}

export interface TableQuery {
  search: string;
  sortKey?: string;
  sortDir: 'asc' | 'desc';
  page: number;
  pageSize: number;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

export function compareValues(a: string | number | null | undefined, b: string | number | null | undefined): number {
  // Empty cells sort last either way round.
  if (a === null || a === undefined || a === '') return b === null || b === undefined || b === '' ? 0 : 1;
  if (b === null || b === undefined || b === '') return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return collator.compare(String(a), String(b));
}

export function applyTableQuery<T>(rows: T[], columns: Column<T>[], q: TableQuery): { rows: T[]; total: number; pages: number; page: number } {
  const needle = q.search.trim().toLowerCase();
  let out = needle ? rows.filter((r) => columns.some((c) => String(c.value(r) ?? '').toLowerCase().includes(needle))) : rows.slice();
  const col = columns.find((c) => c.key === q.sortKey);
  if (col) {
    const dir = q.sortDir === 'asc' ? 1 : -1;
    const empty = (v: unknown) => v === null || v === undefined || v === '';
    out = out.sort((a, b) => {
      const va = col.value(a);
      const vb = col.value(b);
      // Keep empties at the bottom in both directions.
      if (empty(va) || empty(vb)) return compareValues(va, vb);
      return dir * compareValues(va, vb);
    });
  }
  const total = out.length;
  const pages = Math.max(1, Math.ceil(total / q.pageSize));
  const page = Math.min(Math.max(1, q.page), pages);
  return { rows: out.slice((page - 1) * q.pageSize, page * q.pageSize), total, pages, page };
}
