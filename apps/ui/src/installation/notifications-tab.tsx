// Notifications of the installation, in the order they chain: messages (templates) → outputs
// (message + executor + settings, with "Send test") → executors, then the delivery log so a
// failed delivery is visible where it is configured.
import { Badge, Paper, SimpleGrid, Stack, Text, Title, Tooltip } from '@mantine/core';
import type { NotificationDelivery } from '@lynx/shared';
import { useQuery } from '@tanstack/react-query';
import { DataTable } from '../components/data-table.js';
import { Empty, QueryView } from '../components/states.js';
import { formatTime } from '../lib/time.js';
import { usePermissions } from '../session/use-permissions.js';
import { useTRPC } from '../trpc.js';
import { ExecutorsSection } from './notification-executors.js';
import { MessagesSection } from './notification-messages.js';
import { OutputsSection } from './notification-outputs.js';

const statusColor = (s: NotificationDelivery['status']) => (s === 'failed' ? 'red.9' : s === 'sent' ? 'green.9' : 'orange.9');

export function NotificationsTab({ installationId }: { installationId: number }) {
  const trpc = useTRPC();
  const p = usePermissions();
  const canMessages = p.any('notification/message/list');
  const canOutputs = p.any('notification/output/list');
  const canExecutors = p.any('notification/executor/list');
  const installation = useQuery(trpc.installations.get.queryOptions({ id: installationId }));
  const messages = useQuery({ ...trpc.notifications.messages.list.queryOptions({ installationId }), enabled: canMessages || !p.loaded });
  const outputs = useQuery({ ...trpc.notifications.outputs.list.queryOptions({ installationId }), enabled: canOutputs || !p.loaded });
  const executors = useQuery({ ...trpc.notifications.executors.list.queryOptions({ installationId }), enabled: canExecutors || !p.loaded });
  const deliveries = useQuery({ ...trpc.notifications.deliveries.queryOptions({ installationId, limit: 200 }), enabled: canOutputs || !p.loaded, refetchInterval: 10_000 });
  const refs = { messages: messages.data ?? [], executors: executors.data ?? [] };
  const outputName = (id: number) => outputs.data?.find((o) => o.id === id)?.name ?? `#${id}`;

  return (
    <Stack gap="xl">
      {deliveries.data && (
        <SimpleGrid cols={3} aria-label="Deliveries by status">
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
      {canMessages && (
        <QueryView query={messages} what="notification messages">
          {(rows) => (
            <MessagesSection
              installationId={installationId}
              messages={rows}
              outputs={outputs.data ?? []}
              canCreate={p.any('notification/message/create_delete')}
              canUpdate={p.any('notification/message/update')}
            />
          )}
        </QueryView>
      )}
      {canOutputs && (
        <QueryView query={outputs} what="notification outputs">
          {(rows) => (
            <OutputsSection
              installationId={installationId}
              outputs={rows}
              refs={refs}
              rights={{ create: p.any('notification/output/create_delete'), update: p.any('notification/output/update'), send: p.any('notification/output/send') }}
            />
          )}
        </QueryView>
      )}
      {canExecutors && (
        <QueryView query={executors} what="notification executors">
          {(rows) => <ExecutorsSection executors={rows} organizationId={installation.data?.organization_id} canAdmin={p.any('organization/update')} />}
        </QueryView>
      )}
      {canOutputs && (
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
                  { key: 'output', header: 'Output', value: (x) => outputName(x.output_id), sortable: true },
                  {
                    key: 'status',
                    header: 'Status',
                    value: (x) => x.status,
                    sortable: true,
                    render: (x) => (
                      <Badge color={statusColor(x.status)} c="dark.7" variant="outline" miw={70}>
                        {x.status}
                      </Badge>
                    ),
                  },
                  { key: 'attempts', header: 'Attempts', value: (x) => x.attempts, sortable: true, align: 'right' },
                  {
                    key: 'message',
                    header: 'Message',
                    value: (x) => x.message,
                    render: (x) => (
                      <Tooltip label={x.message} multiline w={360} disabled={x.message.length < 60}>
                        <Text size="xs" lineClamp={1} maw={240} tabIndex={x.message.length < 60 ? undefined : 0}>
                          {x.message}
                        </Text>
                      </Tooltip>
                    ),
                  },
                  {
                    key: 'error',
                    header: 'Last error',
                    value: (x) => x.last_error,
                    render: (x) =>
                      x.status === 'pending' && x.attempts > 0 ? (
                        <Text size="xs">
                          {x.last_error} <Text span c="gray.8" size="xs">(retry {formatTime(x.next_attempt)})</Text>
                        </Text>
                      ) : (
                        <Text size="xs" c={x.status === 'failed' ? 'red.8' : undefined}>
                          {x.last_error || '—'}
                        </Text>
                      ),
                  },
                ]}
                empty={<Empty title="No deliveries yet" hint="Use “Send test” on an output to try it, or let an edge app send one." />}
              />
            )}
          </QueryView>
        </section>
      )}
    </Stack>
  );
}
