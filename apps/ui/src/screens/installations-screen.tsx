// All installations the user may see, with creation for those who may create them.
import { Anchor, Badge, Select, Textarea, TextInput } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { DataTable, type DataColumn } from '../components/data-table.js';
import { FormDialog } from '../components/form-dialog.js';
import { PageHeader } from '../components/page-header.js';
import { Empty, QueryView } from '../components/states.js';
import { usePermissions } from '../session/use-permissions.js';
import { useTRPC, type RouterOutputs } from '../trpc.js';

type InstallationInfo = RouterOutputs['installations']['list'][number];

function CreateInstallation() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const me = useQuery(trpc.me.queryOptions());
  const orgs = useQuery(trpc.organizations.tree.queryOptions());
  const [name, setName] = useState('');
  const [org, setOrg] = useState<string | null>(null);
  const [notes, setNotes] = useState('');
  const create = useMutation(trpc.installations.create.mutationOptions());
  const defaultOrg = me.data?.organisations[0];
  const organization = org ?? (defaultOrg !== undefined ? String(defaultOrg) : null);
  return (
    <FormDialog
      label="Create installation"
      buttonProps={{ leftSection: <IconPlus size={16} aria-hidden /> }}
      pending={create.isPending}
      error={create.error}
      onOpen={() => {
        create.reset();
        setName('');
        setNotes('');
      }}
      onSubmit={async () => {
        try {
          const created = await create.mutateAsync({ name, notes, organization_id: organization ? Number(organization) : undefined });
          await queryClient.invalidateQueries({ queryKey: trpc.installations.list.queryKey() });
          await queryClient.invalidateQueries({ queryKey: trpc.overview.queryKey() });
          void navigate(`/installations/${created.id}/devices`);
          return true;
        } catch {
          return false;
        }
      }}
    >
      <TextInput label="Name" withAsterisk value={name} onChange={(e) => setName(e.currentTarget.value)} data-autofocus />
      <Select
        label="Organization"
        data={(orgs.data ?? []).map((o) => ({ value: String(o.id), label: o.name }))}
        value={organization}
        onChange={setOrg}
        searchable
        allowDeselect={false}
        nothingFoundMessage="No organization matches"
      />
      <Textarea label="Notes" value={notes} onChange={(e) => setNotes(e.currentTarget.value)} autosize minRows={2} />
    </FormDialog>
  );
}

export function InstallationsScreen() {
  const trpc = useTRPC();
  const permissions = usePermissions();
  const installations = useQuery(trpc.installations.list.queryOptions({}));
  const orgs = useQuery(trpc.organizations.tree.queryOptions());
  const orgName = (id: number) => orgs.data?.find((o) => o.id === id)?.name ?? `#${id}`;
  const columns: DataColumn<InstallationInfo>[] = [
    {
      key: 'name',
      header: 'Name',
      value: (i) => i.name,
      sortable: true,
      render: (i) => (
        <Anchor component={Link} to={`/installations/${i.id}/devices`} fw={500}>
          {i.name || `Installation ${i.id}`}
        </Anchor>
      ),
    },
    { key: 'id', header: 'ID', value: (i) => i.id, sortable: true, align: 'right' },
    { key: 'client_id', header: 'Client ID', value: (i) => i.client_id, sortable: true, align: 'right' },
    { key: 'org', header: 'Organization', value: (i) => orgName(i.organization_id), sortable: true },
    { key: 'timezone', header: 'Time zone', value: (i) => i.timezone, sortable: true },
    {
      key: 'assigned',
      header: 'Assigned to me',
      value: (i) => (i.assigned ? 'yes' : ''),
      render: (i) => (i.assigned ? <Badge variant="light">assigned</Badge> : null),
    },
  ];
  const canCreate = permissions.has('installation/create');
  return (
    <>
      <PageHeader title="Installations" description="Sites and buildings with their devices, functions and data." actions={canCreate && <CreateInstallation />} />
      <QueryView query={installations} what="installations">
        {(rows) => (
          <DataTable
            label="Installations"
            rows={rows}
            columns={columns}
            rowKey={(i) => i.id}
            initialSort={{ key: 'name', dir: 'asc' }}
            empty={
              <Empty
                title="No installations yet"
                hint={canCreate ? 'Create the first installation with “Create installation”.' : 'Ask an administrator to assign you to an installation.'}
              />
            }
          />
        )}
      </QueryView>
    </>
  );
}
