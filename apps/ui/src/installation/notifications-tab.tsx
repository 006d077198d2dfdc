// Notification outputs and templates of the installation, with the delivery log so failed
// deliveries are visible where they are configured.
import { Badge, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { IconTrash } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ConfirmButton } from '../components/confirm-button.js';
import { DataTable } from '../components/data-table.js';
import { Empty, QueryView } from '../components/states.js';
import { formatTime } from '../lib/time.js';
import { usePermissions } from '../session/use-permissions.js';
import { useTRPC } from '../trpc.js';

export function NotificationsTab({ installationId }: { installationId: number }) {
  const trpc = useTRPC();
  const p = usePermissions();
  const queryClient = useQueryClient();
  const outputs = useQuery(trpc.notifications.outputs.list.queryOptions({ installationId }));
  const messages = useQuery(trpc.notifications.messages.list.queryOptions({ installationId }));
  const deliveries = useQuery({ ...trpc.notifications.deliveries.queryOptions({ installationId, limit: 100 }), refetchInterval: 15_000 });
  const delOutput = useMutation(trpc.notifications.outputs.delete.mutationOptions());
  const canDelete = p.any('notification/output/create_delete');
  const messageName = (id: number) => messages.data?.find((m) => m.id === id)?.name ?? `#${id}`;
  return (
    <Stack gap="lg">
      {deliveries.data && (
        <SimpleGrid cols={3}>
          {(['pending', 'sent', 'failed'] as const).map((k) => (
            <Paper key={k} withBorder p="sm">
              <Text size="xs" c="dimmed" tt="uppercase">
                {k}
              </Text>
              <Text size="xl" fw={700} c={k === 'failed' && deliveries.data.counts.failed > 0 ? 'red.8' : undefined}>
                {deliveries.data.counts[k]}
              </Text>
            </Paper>
          ))}
        </SimpleGrid>
      )}
      <section aria-labelledby="outputs-title">
        <Title order={3} size="h5" mb="xs" id="outputs-title">
          Outputs
        </Title>
        <QueryView query={outputs} what="notification outputs">
          {(rows) => (
            <DataTable
              label="Notification outputs"
              rows={rows}
              rowKey={(o) => o.id}
              columns={[
                { key: 'name', header: 'Name', value: (o) => o.name, sortable: true },
                { key: 'message', header: 'Message', value: (o) => messageName(o.notification_message_id), sortable: true },
                { key: 'executor', header: 'Executor', value: (o) => o.notification_output_executor_id, sortable: true },
                {
                  key: 'actions',
                  header: 'Actions',
                  value: () => '',
                  render: (o) =>
                    canDelete && (
                      <ConfirmButton
                        label={<IconTrash size={14} aria-hidden />}
                        ariaLabel={`Delete output ${o.name}`}
                        confirmLabel="Delete"
                        buttonProps={{ variant: 'subtle' }}
                        title={`Delete ${o.name}?`}
                        message="Notifications sent to this output stop."
                        pending={delOutput.isPending}
                        error={delOutput.error}
                        onConfirm={async () => {
                          await delOutput.mutateAsync({ installationId, id: o.id });
                          await queryClient.invalidateQueries({ queryKey: trpc.notifications.outputs.list.queryKey() });
                        }}
                      />
                    ),
                },
              ]}
              empty={<Empty title="No notification outputs" hint="Outputs send a message template to an executor (webhook, e-mail). Create them over the API or an edge app." />}
            />
          )}
        </QueryView>
      </section>
      <section aria-labelledby="deliveries-title">
        <Title order={3} size="h5" mb="xs" id="deliveries-title">
          Recent deliveries
        </Title>
        <QueryView query={deliveries} what="deliveries">
          {(d) => (
            <DataTable
              label="Deliveries"
              rows={d.deliveries}
              rowKey={(x) => x.id}
              initialSort={{ key: 'created', dir: 'desc' }}
              pageSize={10}
              columns={[
                { key: 'created', header: 'Created', value: (x) => x.created, sortable: true, render: (x) => formatTime(x.created) },
                {
                  key: 'status',
                  header: 'Status',
                  value: (x) => x.status,
                  sortable: true,
                  render: (x) => (
                    <Badge color={x.status === 'failed' ? 'red' : x.status === 'sent' ? 'green' : 'yellow'} variant="light">
                      {x.status}
                    </Badge>
                  ),
                },
                { key: 'attempts', header: 'Attempts', value: (x) => x.attempts, sortable: true, align: 'right' },
                { key: 'error', header: 'Last error', value: (x) => x.last_error },
              ]}
              empty={<Empty title="No deliveries yet" />}
            />
          )}
        </QueryView>
      </section>
      <Group>
        <Text size="sm" c="dimmed">
          {messages.data ? `${messages.data.length} message templates` : ''}
        </Text>
      </Group>
    </Stack>
  );
}
