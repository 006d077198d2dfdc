import { MantineProvider } from '@mantine/core';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { DataTable, type DataColumn } from './data-table.js';

interface Row {
  id: number;
  name: string;
}
const columns: DataColumn<Row>[] = [
  { key: 'name', header: 'Name', value: (r) => r.name, sortable: true },
  { key: 'id', header: 'ID', value: (r) => r.id, sortable: true },
];
const rows = Array.from({ length: 30 }, (_, i) => ({ id: i + 1, name: `Sensor ${i + 1}` }));

function renderTable(data: Row[] = rows) {
  return render(
    <MantineProvider>
      <DataTable label="Sensors" rows={data} columns={columns} rowKey={(r) => r.id} pageSize={10} empty={<p>No sensors yet</p>} />
    </MantineProvider>,
  );
}

const names = () =>
  within(screen.getByRole('table', { name: 'Sensors' }))
    .getAllByRole('row')
    .slice(1)
    .map((r) => within(r).getAllByRole('cell')[0].textContent);

describe('DataTable', () => {
  it('pages the rows', async () => {
    renderTable();
    expect(names()).toHaveLength(10);
    expect(screen.getByText('30 rows')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Page 3' }));
    expect(names()[0]).toBe('Sensor 21');
  });

  it('filters by the search text', async () => {
    renderTable();
    await userEvent.type(screen.getByLabelText('Search sensors'), 'sensor 2');
    // Sensor 2 and Sensor 20–29.
    expect(screen.getByText('11 rows match “sensor 2”')).toBeInTheDocument();
    await userEvent.clear(screen.getByLabelText('Search sensors'));
    await userEvent.type(screen.getByLabelText('Search sensors'), 'pump');
    expect(screen.getByText('Nothing matches the search')).toBeInTheDocument();
  });

  it('sorts naturally by a column and reverses on a second click', async () => {
    renderTable();
    await userEvent.click(screen.getByRole('button', { name: /Name/ }));
    expect(names().slice(0, 3)).toEqual(['Sensor 1', 'Sensor 2', 'Sensor 3']);
    expect(screen.getByRole('columnheader', { name: /Name/ })).toHaveAttribute('aria-sort', 'ascending');
    await userEvent.click(screen.getByRole('button', { name: /Name/ }));
    expect(names()[0]).toBe('Sensor 30');
  });

  it('shows the empty state when there are no rows at all', () => {
    renderTable([]);
    expect(screen.getByText('No sensors yet')).toBeInTheDocument();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });
});
