// Edge-app instances configured on the installation: configure from the catalogue, edit, delete,
// and see how each runs (state, reason when stopped, log).
import { Group, Text } from '@mantine/core';
import { IconTrash } from '@tabler/icons-react';
import type { EdgeAppInstance } from '@lynx/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ConfirmButton } from '../components/confirm-button.js';
import { DataTable } from '../components/data-table.js';
import { Empty, QueryView } from '../components/states.js';
import { formatTime } from '../lib/time.js';
import { usePermissions } from '../session/use-permissions.js';
import { useTRPC } from '../trpc.js';
import { EdgeAppInstanceDialog } from './edge-app-instance-dialog.js';
import { InstanceDetailsButton, InstanceState } from './edge-app-runtime.js';

function DeleteInstance({ installationId, instance, name }: { installationId: number; instance: EdgeAppInstance; name: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const del = useMutation(trpc.edgeApps.instances.delete.mutationOptions());
  return (
    <ConfirmButton
      label={<IconTrash size={14} aria-hidden />}
      ariaLabel={`Delete instance ${name}`}
      confirmLabel="Delete"
      buttonProps={{ variant: 'subtle' }}
      title={`Delete ${name}?`}
      message="The app stops on this installation; functions it created stay."
      pending={del.isPending}
      error={del.error}
      onConfirm={async () => {
        await del.mutateAsync({ installationId, id: instance.id });
        await queryClient.invalidateQueries({ queryKey: trpc.edgeApps.instances.list.queryKey() });
      }}
    />
  );
}

export function EdgeAppsTab({ installationId }: { installationId: number }) {
  const trpc = useTRPC();
  const p = usePermissions();
  const instances = useQuery(trpc.edgeApps.instances.list.queryOptions({ installationId }));
  const canCatalogue = p.any('edge/app/list');
  const apps = useQuery({ ...trpc.edgeApps.list.queryOptions(), enabled: canCatalogue });
  const canCreate = p.any('edge/app/configured/create_delete');
  const canUpdate = p.any('edge/app/configured/update');
  const appName = (id: number) => apps.data?.find((a) => a.id === id)?.name ?? `App #${id}`;
  const nameOf = (i: EdgeAppInstance) => i.name || `${appName(i.app_id)} ${i.id}`;
  return (
    <QueryView query={instances} what="edge apps">
      {(rows) => (
        <DataTable
          label="Edge app instances"
          rows={rows}
          rowKey={(i) => i.id}
          initialSort={{ key: 'name', dir: 'asc' }}
          toolbar={canCreate && apps.data && <EdgeAppInstanceDialog installationId={installationId} apps={apps.data} />}
          columns={[
            { key: 'name', header: 'Name', value: nameOf, sortable: true, render: (i) => <Text fw={500} size="sm">{nameOf(i)}</Text> },
            { key: 'app', header: 'App', value: (i) => appName(i.app_id), sortable: true },
            { key: 'version', header: 'Version', value: (i) => i.version, sortable: true, render: (i) => <span className="lynx-mono">{i.version.length > 20 ? i.version.slice(0, 12) : i.version}</span> },
            { key: 'state', header: 'State', value: () => '', render: (i) => <InstanceState installationId={installationId} instance={i} /> },
            { key: 'updated', header: 'Updated', value: (i) => i.updated, sortable: true, render: (i) => formatTime(i.updated) },
            {
              key: 'actions',
              header: 'Actions',
              value: () => '',
              render: (i) => (
                <Group gap={4} wrap="nowrap">
                  <InstanceDetailsButton installationId={installationId} instance={i} name={nameOf(i)} />
                  {canUpdate && apps.data && <EdgeAppInstanceDialog installationId={installationId} apps={apps.data} instance={i} />}
                  {canCreate && <DeleteInstance installationId={installationId} instance={i} name={nameOf(i)} />}
                </Group>
              ),
            },
          ]}
          empty={
            <Empty
              title="No edge apps on this installation"
              hint={canCreate ? 'Edge apps run Lua logic next to the data: use “Configure edge app” to pick one from the catalogue.' : 'No edge app runs on this installation.'}
            />
          }
        />
      )}
    </QueryView>
  );
}
