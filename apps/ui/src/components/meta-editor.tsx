// Edits an object's meta map as key/value rows. Protected meta shows only to users who may see
// it and is editable only with the edit right; the server enforces both again.
import { ActionIcon, Button, Checkbox, Group, Stack, Table, Text, TextInput, Tooltip, VisuallyHidden } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import type { MetaMap } from '@lynx/shared';

export interface MetaRow {
  key: string;
  value: string;
  protected: boolean;
}

export function metaRows(meta: MetaMap, protectedMeta: MetaMap): MetaRow[] {
  return [
    ...Object.entries(meta).map(([key, value]) => ({ key, value, protected: false })),
    ...Object.entries(protectedMeta).map(([key, value]) => ({ key, value, protected: true })),
  ].sort((a, b) => a.key.localeCompare(b.key));
}

/** Back to the two maps; blank keys are dropped, a later duplicate key wins. */
export function rowsToMeta(rows: MetaRow[]): { meta: MetaMap; protected_meta: MetaMap } {
  const meta: MetaMap = {};
  const protectedMeta: MetaMap = {};
  for (const r of rows) {
    const key = r.key.trim();
    if (!key) continue;
    (r.protected ? protectedMeta : meta)[key] = r.value;
  }
  return { meta, protected_meta: protectedMeta };
}

export function MetaEditor({
  rows,
  onChange,
  canViewProtected,
  canEditProtected,
  readOnly,
}: {
  rows: MetaRow[];
  onChange: (rows: MetaRow[]) => void;
  canViewProtected: boolean;
  canEditProtected: boolean;
  readOnly?: boolean;
}) {
  const update = (i: number, patch: Partial<MetaRow>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const visible = rows.map((r, i) => ({ r, i })).filter(({ r }) => canViewProtected || !r.protected);
  return (
    <Stack gap="xs">
      {visible.length === 0 ? (
        <Text size="sm" c="dimmed">
          No meta yet. Meta keys such as <code>topic_read</code>, <code>unit</code> or <code>format</code> describe the object.
        </Text>
      ) : (
        <Table aria-label="Meta" verticalSpacing={4}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Key</Table.Th>
              <Table.Th>Value</Table.Th>
              {canViewProtected && <Table.Th>Protected</Table.Th>}
              <Table.Th>
                <VisuallyHidden>
                  Actions
                </VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {visible.map(({ r, i }) => {
              const locked = readOnly || (r.protected && !canEditProtected);
              return (
                <Table.Tr key={i}>
                  <Table.Td>
                    <TextInput aria-label={`Meta key ${i + 1}`} value={r.key} onChange={(e) => update(i, { key: e.currentTarget.value })} readOnly={locked} size="xs" />
                  </Table.Td>
                  <Table.Td>
                    <TextInput aria-label={`Meta value ${r.key || i + 1}`} value={r.value} onChange={(e) => update(i, { value: e.currentTarget.value })} readOnly={locked} size="xs" />
                  </Table.Td>
                  {canViewProtected && (
                    <Table.Td>
                      <Checkbox
                        aria-label={`Protected ${r.key || i + 1}`}
                        checked={r.protected}
                        disabled={readOnly || !canEditProtected}
                        onChange={(e) => update(i, { protected: e.currentTarget.checked })}
                      />
                    </Table.Td>
                  )}
                  <Table.Td>
                    {!locked && (
                      <Tooltip label="Remove">
                        <ActionIcon variant="subtle" color="red" aria-label={`Remove meta ${r.key || i + 1}`} onClick={() => onChange(rows.filter((_, j) => j !== i))}>
                          <IconTrash size={16} aria-hidden />
                        </ActionIcon>
                      </Tooltip>
                    )}
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      )}
      {!readOnly && (
        <Group>
          <Button variant="light" size="xs" leftSection={<IconPlus size={14} aria-hidden />} onClick={() => onChange([...rows, { key: '', value: '', protected: false }])}>
            Add meta
          </Button>
        </Group>
      )}
    </Stack>
  );
}
