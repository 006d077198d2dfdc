// The first screen: every installation with its size, activity and problems, so a facility
// manager sees at once where something needs attention.
import { Anchor, Badge, Group, Paper, SimpleGrid, Stack, Text, Tooltip } from '@mantine/core';
import { IconAlertTriangle, IconCircleCheck } from '@tabler/icons-react';
import type { InstallationOverview } from '@lynx/shared';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { DataTable, type DataColumn } from '../components/data-table.js';
import { PageHeader } from '../components/page-header.js';
import { Empty, QueryView } from '../components/states.js';
import { formatTime, timeAgo } from '../lib/time.js';
import { useTRPC } from '../trpc.js';

export function problemCount(p: InstallationOverview['problems']): number {
  return (p.bad_payloads ?? 0) + (p.failed_notifications ?? 0) + (p.stopped_edge_apps ?? 0);
}

function Problems({ i }: { i: InstallationOverview }) {
  const { bad_payloads, failed_notifications, stopped_edge_apps } = i.problems;
  const items = [
    bad_payloads ? { label: `${bad_payloads} bad payloads`, to: 'mqtt' } : null,
    failed_notifications ? { label: `${failed_notifications} failed notifications`, to: 'notifications' } : null,
    stopped_edge_apps ? { label: `${stopped_edge_apps} stopped edge apps`, to: 'edge-apps' } : null,
  ].filter((x): x is { label: string; to: string } => x !== null);
  if (items.length === 0)
    return (
      <Group gap={4}>
        <IconCircleCheck size={16} aria-hidden color="var(--mantine-color-green-7)" />
        <Text size="sm">none</Text>
      </Group>
    );
  return (
    <Group gap={4}>
      {items.map((x) => (
        <Badge key={x.label} color="red" variant="light" component={Link} to={`/installations/${i.id}/${x.to}`} leftSection={<IconAlertTriangle size={12} aria-hidden />} style={{ cursor: 'pointer' }}>
          {x.label}
        </Badge>
      ))}
    </Group>
  );
}

function Stat({ label, value, hint }: { label: string; value: string | number; hint?: string }) {
  return (
    <Paper withBorder p="md">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="xl" fw={700}>
        {value}
      </Text>
      {hint && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
    </Paper>
  );
}

export function OverviewScreen() {
  const trpc = useTRPC();
  // Activity figures are live: refresh them while the screen is open.
  const overview = useQuery({ ...trpc.overview.queryOptions(), refetchInterval: 10_000 });
  const columns: DataColumn<InstallationOverview>[] = [
    {
      key: 'name',
      header: 'Installation',
      value: (i) => i.name,
      sortable: true,
      render: (i) => (
        <Anchor component={Link} to={`/installations/${i.id}/live`} fw={500}>
          {i.name || `Installation ${i.id}`}
        </Anchor>
      ),
    },
    { key: 'devices', header: 'Devices', value: (i) => i.devices, sortable: true, align: 'right' },
    { key: 'functions', header: 'Functions', value: (i) => i.functions, sortable: true, align: 'right' },
    {
      key: 'clients',
      header: 'Online clients',
      value: (i) => i.active_clients.length,
      sortable: true,
      align: 'right',
      render: (i) => (
        <Tooltip label={i.active_clients.join(', ') || 'No client published in the last five minutes'}>
          <Badge color={i.active_clients.length ? 'green' : 'gray'} variant="light">
            {i.active_clients.length}
          </Badge>
        </Tooltip>
      ),
    },
    { key: 'rate', header: 'Msg/s', value: (i) => i.messages_per_second, sortable: true, align: 'right', render: (i) => i.messages_per_second.toFixed(1) },
    {
      key: 'activity',
      header: 'Last activity',
      value: (i) => i.last_activity ?? 0,
      sortable: true,
      render: (i) => (
        <Tooltip label={formatTime(i.last_activity)} disabled={!i.last_activity}>
          <Text size="sm">{timeAgo(i.last_activity)}</Text>
        </Tooltip>
      ),
    },
    { key: 'problems', header: 'Problems', value: (i) => problemCount(i.problems), sortable: true, render: (i) => <Problems i={i} /> },
  ];
  return (
    <>
      <PageHeader title="Overview" description="Installations, their activity and anything that needs attention." />
      <QueryView query={overview} what="the overview">
        {(o) => {
          const withProblems = o.installations.filter((i) => problemCount(i.problems) > 0).length;
          return (
            <Stack gap="md">
              <SimpleGrid cols={{ base: 2, md: 4 }}>
                <Stat label="Installations" value={o.installations.length} />
                <Stat label="Broker clients" value={o.broker_clients} hint="Connected over MQTT now" />
                <Stat label="Messages per second" value={o.messages_per_second.toFixed(1)} hint="Last ten seconds" />
                <Stat label="With problems" value={withProblems} hint={withProblems ? 'See the Problems column' : 'All good'} />
              </SimpleGrid>
              <DataTable
                label="Installation overview"
                rows={o.installations}
                columns={columns}
                rowKey={(i) => i.id}
                initialSort={{ key: 'problems', dir: 'desc' }}
                empty={
                  <Empty
                    title="No installations to show"
                    hint="Create one under Installations, or ask an administrator to assign you to one."
                    action={
                      <Anchor component={Link} to="/installations">
                        Open the installation list
                      </Anchor>
                    }
                  />
                }
              />
            </Stack>
          );
        }}
      </QueryView>
    </>
  );
}
