// A searchable, sortable, paged table. Rows come whole from the server (the AAM lists are small
// per installation); paging keeps the DOM small however many there are.
import { Group, Pagination, Select, Table, Text, TextInput, UnstyledButton } from '@mantine/core';
import { IconArrowDown, IconArrowUp, IconArrowsSort, IconSearch } from '@tabler/icons-react';
import { useState, type ReactNode } from 'react';
import { Empty } from './states.js';
import { applyTableQuery, type Column, type TableQuery } from './table-state.js';

export interface DataColumn<T> extends Column<T> {
  render?: (row: T) => ReactNode;
  /** Right-aligned numbers, narrow action cells. */
  align?: 'left' | 'right';
}

export function DataTable<T>({
  label,
  rows,
  columns,
  rowKey,
  toolbar,
  empty,
  initialSort,
  pageSize: initialPageSize = 25,
}: {
  /** Accessible name of the table, also used in the search label. */
  label: string;
  rows: T[];
  columns: DataColumn<T>[];
  rowKey: (row: T) => string | number;
  toolbar?: ReactNode;
  empty: ReactNode;
  initialSort?: { key: string; dir: 'asc' | 'desc' };
  pageSize?: number;
}) {
  const [q, setQ] = useState<TableQuery>({ search: '', sortKey: initialSort?.key, sortDir: initialSort?.dir ?? 'asc', page: 1, pageSize: initialPageSize });
  const view = applyTableQuery(rows, columns, q);

  const toggleSort = (key: string) =>
    setQ((s) => ({ ...s, sortKey: key, sortDir: s.sortKey === key && s.sortDir === 'asc' ? 'desc' : 'asc', page: 1 }));

  return (
    <div>
      <Group justify="space-between" mb="sm" wrap="wrap" gap="sm">
        <TextInput
          label={`Search ${label.toLowerCase()}`}
          placeholder="Type to filter"
          leftSection={<IconSearch size={16} aria-hidden />}
          value={q.search}
          onChange={(e) => setQ({ ...q, search: e.currentTarget.value, page: 1 })}
          w={280}
        />
        <Group gap="sm" align="flex-end">
          {toolbar}
        </Group>
      </Group>
      {rows.length === 0 ? (
        empty
      ) : view.total === 0 ? (
        <Empty title="Nothing matches the search" hint="Change or clear the search text." />
      ) : (
        <Table.ScrollContainer minWidth={600}>
          <Table striped highlightOnHover verticalSpacing="xs" aria-label={label}>
            <Table.Thead>
              <Table.Tr>
                {columns.map((c) => {
                  const sorted = q.sortKey === c.key;
                  return (
                    <Table.Th key={c.key} style={{ textAlign: c.align }} aria-sort={sorted ? (q.sortDir === 'asc' ? 'ascending' : 'descending') : undefined}>
                      {c.sortable ? (
                        <UnstyledButton onClick={() => toggleSort(c.key)} className="lynx-sort-button">
                          <Group gap={4} wrap="nowrap">
                            <Text fw={600} size="sm">
                              {c.header}
                            </Text>
                            {sorted ? q.sortDir === 'asc' ? <IconArrowUp size={14} aria-hidden /> : <IconArrowDown size={14} aria-hidden /> : <IconArrowsSort size={14} aria-hidden opacity={0.4} />}
                          </Group>
                        </UnstyledButton>
                      ) : (
                        c.header
                      )}
                    </Table.Th>
                  );
                })}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {view.rows.map((row) => (
                <Table.Tr key={rowKey(row)}>
                  {columns.map((c) => (
                    <Table.Td key={c.key} style={{ textAlign: c.align }}>
                      {c.render ? c.render(row) : String(c.value(row) ?? '')}
                    </Table.Td>
                  ))}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {view.total > 0 && (
        <Group justify="space-between" mt="sm">
          <Text size="sm" c="dimmed">
            {view.total} {view.total === 1 ? 'row' : 'rows'}
            {q.search ? ` match “${q.search}”` : ''}
          </Text>
          <Group gap="sm">
            <Select
              aria-label="Rows per page"
              data={['10', '25', '50', '100']}
              value={String(q.pageSize)}
              onChange={(v) => setQ({ ...q, pageSize: Number(v ?? 25), page: 1 })}
              w={90}
              allowDeselect={false}
            />
            {view.pages > 1 && <Pagination total={view.pages} value={view.page} onChange={(page) => setQ({ ...q, page })} getControlProps={(control) => ({ 'aria-label': `${control[0].toUpperCase()}${control.slice(1)} page` })}
                getItemProps={(page) => ({ 'aria-label': `Page ${page}` })} />}
          </Group>
        </Group>
      )}
    </div>
  );
}
