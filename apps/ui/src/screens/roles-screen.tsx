// Roles and the permissions each grants. Roles are global; priority limits who may manage whom.
import { Badge, Checkbox, Group, Modal, NumberInput, ScrollArea, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { Button } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { permissionKeys, type Role } from '@lynx/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmButton } from '../components/confirm-button.js';
import { DataTable, type DataColumn } from '../components/data-table.js';
import { FormDialog } from '../components/form-dialog.js';
import { PageHeader } from '../components/page-header.js';
import { Empty, QueryView } from '../components/states.js';
import { usePermissions } from '../session/use-permissions.js';
import { useTRPC } from '../trpc.js';

function granted(role: Role): string[] {
  return Object.entries(role.permissions)
    .filter(([, v]) => v)
    .map(([k]) => k)
    .sort();
}

function PermissionsView({ role, onClose }: { role: Role | null; onClose: () => void }) {
  return (
    <Modal opened={role !== null} onClose={onClose} title={role ? `Permissions of ${role.name}` : ''} size="lg" centered>
      {role && (
        <ScrollArea h={400}>
          <SimpleGrid cols={2} spacing={4}>
            {granted(role).map((k) => (
              <Text key={k} size="sm" className="lynx-mono">
                {k}
              </Text>
            ))}
          </SimpleGrid>
        </ScrollArea>
      )}
    </Modal>
  );
}

function CreateRole() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [priority, setPriority] = useState<number | string>(100);
  const [perms, setPerms] = useState<string[]>([]);
  const create = useMutation(trpc.roles.create.mutationOptions());
  return (
    <FormDialog
      label="Create role"
      buttonProps={{ leftSection: <IconPlus size={16} aria-hidden /> }}
      pending={create.isPending}
      error={create.error}
      onOpen={() => {
        create.reset();
        setName('');
        setPerms([]);
      }}
      onSubmit={async () => {
        try {
          await create.mutateAsync({ name, priority: Number(priority), permissions: Object.fromEntries(permissionKeys.map((k) => [k, perms.includes(k)])) });
          await queryClient.invalidateQueries({ queryKey: trpc.roles.list.queryKey() });
          return true;
        } catch {
          return false;
        }
      }}
    >
      <Group grow>
        <TextInput label="Name" withAsterisk value={name} onChange={(e) => setName(e.currentTarget.value)} data-autofocus />
        <NumberInput label="Priority" description="Lower manages higher" value={priority} onChange={setPriority} />
      </Group>
      <Checkbox.Group label="Permissions" value={perms} onChange={setPerms}>
        <ScrollArea h={260} mt="xs">
          <SimpleGrid cols={2} spacing={4}>
            {permissionKeys.map((k) => (
              <Checkbox key={k} value={k} label={k} size="xs" />
            ))}
          </SimpleGrid>
        </ScrollArea>
      </Checkbox.Group>
    </FormDialog>
  );
}

export function RolesScreen() {
  const trpc = useTRPC();
  const p = usePermissions();
  const queryClient = useQueryClient();
  const roles = useQuery(trpc.roles.list.queryOptions());
  const del = useMutation(trpc.roles.delete.mutationOptions());
  const [viewing, setViewing] = useState<Role | null>(null);
  const canManage = p.has('role/create_delete');
  const columns: DataColumn<Role>[] = [
    { key: 'name', header: 'Name', value: (r) => r.name, sortable: true },
    { key: 'priority', header: 'Priority', value: (r) => r.priority, sortable: true, align: 'right' },
    {
      key: 'perms',
      header: 'Permissions',
      value: (r) => granted(r).length,
      sortable: true,
      render: (r) => (
        <Button variant="subtle" size="xs" onClick={() => setViewing(r)} aria-label={`Show permissions of ${r.name}`}>
          <Badge variant="light">{granted(r).length}</Badge>&nbsp;show
        </Button>
      ),
    },
    {
      key: 'actions',
      header: 'Actions',
      value: () => '',
      render: (r) =>
        canManage && (
          <ConfirmButton
            label={<IconTrash size={14} aria-hidden />}
            ariaLabel={`Delete role ${r.name}`}
            confirmLabel="Delete"
            buttonProps={{ variant: 'subtle' }}
            title={`Delete role ${r.name}?`}
            message="Only a role no user holds can be deleted."
            pending={del.isPending}
            error={del.error}
            onConfirm={async () => {
              await del.mutateAsync({ id: r.id });
              await queryClient.invalidateQueries({ queryKey: trpc.roles.list.queryKey() });
            }}
          />
        ),
    },
  ];
  return (
    <>
      <PageHeader title="Roles" description="What each role may do. Users get one role." actions={canManage && <CreateRole />} />
      <PermissionsView role={viewing} onClose={() => setViewing(null)} />
      <QueryView query={roles} what="roles">
        {(rows) => (
          <Stack>
            <DataTable label="Roles" rows={rows} columns={columns} rowKey={(r) => r.id} initialSort={{ key: 'priority', dir: 'asc' }} empty={<Empty title="No roles" />} />
          </Stack>
        )}
      </QueryView>
    </>
  );
}
