// Users of the organizations the caller manages, with create and delete.
import { Badge, PasswordInput, Select, SimpleGrid, TextInput } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import type { User } from '@lynx/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmButton } from '../components/confirm-button.js';
import { DataTable, type DataColumn } from '../components/data-table.js';
import { FormDialog } from '../components/form-dialog.js';
import { PageHeader } from '../components/page-header.js';
import { Empty, QueryView } from '../components/states.js';
import { usePermissions } from '../session/use-permissions.js';
import { useTRPC } from '../trpc.js';

const blank = { email: '', first_name: '', last_name: '', password: '', role: null as string | null, org: null as string | null };

function CreateUser() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const roles = useQuery(trpc.roles.list.queryOptions());
  const orgs = useQuery(trpc.organizations.tree.queryOptions());
  const [f, setF] = useState(blank);
  const create = useMutation(trpc.users.create.mutationOptions());
  return (
    <FormDialog
      label="Create user"
      buttonProps={{ leftSection: <IconPlus size={16} aria-hidden /> }}
      pending={create.isPending}
      error={create.error}
      onOpen={() => {
        create.reset();
        setF(blank);
      }}
      onSubmit={async () => {
        try {
          await create.mutateAsync({
            email: f.email.trim(),
            first_name: f.first_name,
            last_name: f.last_name,
            ...(f.password ? { password: f.password } : {}),
            ...(f.role ? { role: Number(f.role) } : {}),
            ...(f.org ? { organisations: [Number(f.org)] } : {}),
          });
          await queryClient.invalidateQueries({ queryKey: trpc.users.list.queryKey() });
          return true;
        } catch {
          return false;
        }
      }}
    >
      <TextInput label="Email" type="email" withAsterisk value={f.email} onChange={(e) => setF({ ...f, email: e.currentTarget.value })} data-autofocus />
      <SimpleGrid cols={2}>
        <TextInput label="First name" value={f.first_name} onChange={(e) => setF({ ...f, first_name: e.currentTarget.value })} />
        <TextInput label="Last name" value={f.last_name} onChange={(e) => setF({ ...f, last_name: e.currentTarget.value })} />
      </SimpleGrid>
      <PasswordInput label="Password" description="Leave empty to let the user set one through password reset" value={f.password} onChange={(e) => setF({ ...f, password: e.currentTarget.value })} autoComplete="new-password" />
      <SimpleGrid cols={2}>
        <Select label="Role" data={(roles.data ?? []).map((r) => ({ value: String(r.id), label: r.name }))} value={f.role} onChange={(role) => setF({ ...f, role })} />
        <Select label="Organization" data={(orgs.data ?? []).map((o) => ({ value: String(o.id), label: o.name }))} value={f.org} onChange={(org) => setF({ ...f, org })} searchable />
      </SimpleGrid>
    </FormDialog>
  );
}

export function UsersScreen() {
  const trpc = useTRPC();
  const p = usePermissions();
  const queryClient = useQueryClient();
  const users = useQuery(trpc.users.list.queryOptions({ filters: {} }));
  const roles = useQuery(trpc.roles.list.queryOptions());
  const orgs = useQuery(trpc.organizations.tree.queryOptions());
  const me = useQuery(trpc.me.queryOptions());
  const del = useMutation(trpc.users.delete.mutationOptions());
  const canCreate = p.has('user/create/delete');
  const roleName = (id: number) => roles.data?.find((r) => r.id === id)?.name ?? `#${id}`;
  const orgNames = (ids: number[]) => ids.map((id) => orgs.data?.find((o) => o.id === id)?.name ?? `#${id}`).join(', ');
  const columns: DataColumn<User>[] = [
    { key: 'email', header: 'Email', value: (u) => u.email, sortable: true },
    { key: 'name', header: 'Name', value: (u) => `${u.first_name} ${u.last_name}`.trim(), sortable: true },
    { key: 'role', header: 'Role', value: (u) => roleName(u.role), sortable: true, render: (u) => <Badge variant="light">{roleName(u.role)}</Badge> },
    { key: 'orgs', header: 'Organizations', value: (u) => orgNames(u.organisations), sortable: true },
    { key: '2fa', header: 'Two-factor', value: (u) => (u.sms_login ? 'on' : 'off'), sortable: true, render: (u) => <Badge color={u.sms_login ? 'green' : 'gray'} variant="light">{u.sms_login ? 'on' : 'off'}</Badge> },
    {
      key: 'actions',
      header: 'Actions',
      value: () => '',
      render: (u) =>
        canCreate &&
        u.id !== me.data?.id && (
          <ConfirmButton
            label={<IconTrash size={14} aria-hidden />}
            ariaLabel={`Delete user ${u.email}`}
            confirmLabel="Delete"
            buttonProps={{ variant: 'subtle' }}
            title={`Delete ${u.email}?`}
            message="The user can no longer sign in; their tokens stop working."
            pending={del.isPending}
            error={del.error}
            onConfirm={async () => {
              await del.mutateAsync({ id: u.id });
              await queryClient.invalidateQueries({ queryKey: trpc.users.list.queryKey() });
            }}
          />
        ),
    },
  ];
  return (
    <>
      <PageHeader title="Users" description="People who sign in, their role and organizations." actions={canCreate && <CreateUser />} />
      <QueryView query={users} what="users">
        {(rows) => <DataTable label="Users" rows={rows} columns={columns} rowKey={(u) => u.id} initialSort={{ key: 'email', dir: 'asc' }} empty={<Empty title="No users" hint={canCreate ? 'Create one with “Create user”.' : undefined} />} />}
      </QueryView>
    </>
  );
}
