// A string → string map (notification output and executor config) as editable rows.
import { ActionIcon, Button, Group, Stack, Table, Text, TextInput, VisuallyHidden } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';

export interface KeyValueRow {
  key: string;
  value: string;
}

export function rowsFromRecord(record: Record<string, string>, skip: readonly string[] = []): KeyValueRow[] {
  return Object.entries(record)
    .filter(([k]) => !skip.includes(k))
    .map(([key, value]) => ({ key, value }));
}

/** The map, or the first problem: a value without a key, or a key given twice. Blank rows are dropped. */
export function recordFromRows(rows: KeyValueRow[]): { record: Record<string, string> } | { error: string } {
  const record: Record<string, string> = {};
  for (const r of rows) {
    const key = r.key.trim();
    if (!key) {
      if (r.value.trim()) return { error: `The setting with value "${r.value}" has no name` };
      continue;
    }
    if (key in record) return { error: `The setting "${key}" is given twice` };
    record[key] = r.value;
  }
  return { record };
}

export function KeyValueEditor({
  label,
  rows,
  onChange,
  emptyHint,
  keyPlaceholder,
}: {
  /** Names the table and its inputs, e.g. "Output setting". */
  label: string;
  rows: KeyValueRow[];
  onChange: (rows: KeyValueRow[]) => void;
  emptyHint?: string;
  keyPlaceholder?: string;
}) {
  const update = (i: number, patch: Partial<KeyValueRow>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <Stack gap="xs">
      {rows.length === 0 ? (
        emptyHint && (
          <Text size="sm" c="dimmed">
            {emptyHint}
          </Text>
        )
      ) : (
        <Table aria-label={`${label}s`} verticalSpacing={4}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Value</Table.Th>
              <Table.Th>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((r, i) => (
              <Table.Tr key={i}>
                <Table.Td>
                  <TextInput aria-label={`${label} ${i + 1} name`} value={r.key} placeholder={keyPlaceholder} onChange={(e) => update(i, { key: e.currentTarget.value })} size="xs" />
                </Table.Td>
                <Table.Td>
                  <TextInput aria-label={`${label} ${r.key || i + 1} value`} value={r.value} onChange={(e) => update(i, { value: e.currentTarget.value })} size="xs" />
                </Table.Td>
                <Table.Td>
                  <ActionIcon variant="subtle" color="red" aria-label={`Remove ${label.toLowerCase()} ${r.key || i + 1}`} onClick={() => onChange(rows.filter((_, j) => j !== i))}>
                    <IconTrash size={16} aria-hidden />
                  </ActionIcon>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Group>
        <Button variant="light" size="xs" leftSection={<IconPlus size={14} aria-hidden />} onClick={() => onChange([...rows, { key: '', value: '' }])}>
          Add {label.toLowerCase()}
        </Button>
      </Group>
    </Stack>
  );
}
