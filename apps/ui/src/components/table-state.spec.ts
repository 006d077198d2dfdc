import { describe, expect, it } from 'vitest';
import { applyTableQuery, type Column } from './table-state.js';

interface Row {
  id: number;
  name: string;
}
const columns: Column<Row>[] = [
  { key: 'id', header: 'ID', value: (r) => r.id, sortable: true },
  { key: 'name', header: 'Name', value: (r) => r.name, sortable: true },
];
const rows: Row[] = [
  { id: 3, name: 'Sensor 10' },
  { id: 1, name: 'sensor 2' },
  { id: 2, name: '' },
  { id: 4, name: 'Pump' },
];

describe('applyTableQuery', () => {
  it('searches every column, case-insensitively', () => {
    expect(applyTableQuery(rows, columns, { search: 'SENSOR', sortDir: 'asc', page: 1, pageSize: 10 }).rows.map((r) => r.id)).toEqual([3, 1]);
  });

  it('sorts naturally and keeps empty cells last in both directions', () => {
    const asc = applyTableQuery(rows, columns, { search: '', sortKey: 'name', sortDir: 'asc', page: 1, pageSize: 10 });
    expect(asc.rows.map((r) => r.id)).toEqual([4, 1, 3, 2]);
    const desc = applyTableQuery(rows, columns, { search: '', sortKey: 'name', sortDir: 'desc', page: 1, pageSize: 10 });
    expect(desc.rows.map((r) => r.id)).toEqual([3, 1, 4, 2]);
  });

  it('pages and clamps a page past the end', () => {
    const r = applyTableQuery(rows, columns, { search: '', sortKey: 'id', sortDir: 'asc', page: 9, pageSize: 3 });
    expect(r).toMatchObject({ total: 4, pages: 2, page: 2 });
    expect(r.rows.map((x) => x.id)).toEqual([4]);
  });
});
