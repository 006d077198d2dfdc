// Edge-app instances configured on the installation, with their running state.
import { Badge, Tooltip } from '@mantine/core';
import { IconTrash } from '@tabler/icons-react';
import type { EdgeAppInstance } from '@lynx/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ConfirmButton } from '../components/confirm-button.js';
import { DataTable } from '../components/data-table.js';
import { Empty, QueryView } from '../components/states.js';
import { formatTime } from '../lib/time.js';
import { usePermissions } from '../session/use-permissions.js';
import { useTRPC } from '../trpc.js';

function InstanceState({ installationId, instance }: { installationId: number; instance: EdgeAppInstance }) {
  const trpc = useTRPC();
  const status = useQuery({ ...trpc.edgeApps.instanceStatus.queryOptions({ installationId, instanceId: instance.id }), refetchInterval: 15_000 });
  if (!status.data) return <Badge variant="light" color="gray">unknown</Badge>;
  const { state, reason } = status.data;
  const color = state === 'running' ? 'green' : state === 'crashed' ? 'red' : 'gray';
  return (
    <Tooltip label={reason ?? state} disabled={!reason}>
      <Badge variant="light" color={color}>
        {state}
      </Badge>
    </Tooltip>
  );
}

export function EdgeAppsTab({ installationId }: { installationId: number }) {
  const trpc = useTRPC();
  const p = usePermissions();
  const queryClient = useQueryClient();
  const instances = useQuery(trpc.edgeApps.instances.list.queryOptions({ installationId }));
  const apps = useQuery({ ...trpc.edgeApps.list.queryOptions(), enabled: p.has('edge/app/list') });
  const del = useMutation(trpc.edgeApps.instances.delete.mutationOptions());
  const canDelete = p.any('edge/app/configured/create_delete');
  const appName = (id: number) => apps.data?.find((a) => a.id === id)?.name ?? `App #${id}`;
  return (
    <QueryView query={instances} what="edge apps">
      {(rows) => (
        <DataTable
          label="Edge app instances"
          rows={rows}
          rowKey={(i) => i.id}
          columns={[
            { key: 'name', header: 'Name', value: (i) => i.name || appName(i.app_id), sortable: true },
            { key: 'app', header: 'App', value: (i) => appName(i.app_id), sortable: true },
            { key: 'version', header: 'Version', value: (i) => i.version, render: (i) => <span className="lynx-mono">{i.version.slice(0, 12)}</span> },
            { key: 'state', header: 'State', value: () => '', render: (i) => <InstanceState installationId={installationId} instance={i} /> },
            { key: 'updated', header: 'Updated', value: (i) => i.updated, sortable: true, render: (i) => formatTime(i.updated) },
            {
              key: 'actions',
              header: 'Actions',
              value: () => '',
              render: (i) =>
                canDelete && (
                  <ConfirmButton
                    label={<IconTrash size={14} aria-hidden />}
                    ariaLabel={`Delete instance ${i.name || i.id}`}
                    confirmLabel="Delete"
                    buttonProps={{ variant: 'subtle' }}
                    title="Delete this edge app instance?"
                    message="The app stops on this installation; functions it created stay."
                    pending={del.isPending}
                    error={del.error}
                    onConfirm={async () => {
                      await del.mutateAsync({ installationId, id: i.id });
                      await queryClient.invalidateQueries({ queryKey: trpc.edgeApps.instances.list.queryKey() });
                    }}
                  />
                ),
            },
          ]}
          empty={<Empty title="No edge apps on this installation" hint="Edge apps run Lua logic next to the data; configure one from the Edge apps catalogue or the API." />}
        />
      )}
    </QueryView>
  );
}
