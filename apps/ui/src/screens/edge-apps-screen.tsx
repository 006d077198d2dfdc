// The edge-app catalogue visible to the user's organization.
import { Badge, Group, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { DataTable } from '../components/data-table.js';
import { PageHeader } from '../components/page-header.js';
import { Empty, QueryView } from '../components/states.js';
import { formatTime } from '../lib/time.js';
import { useTRPC } from '../trpc.js';

export function EdgeAppsScreen() {
  const trpc = useTRPC();
  const apps = useQuery(trpc.edgeApps.list.queryOptions());
  return (
    <>
      <PageHeader title="Edge apps" description="Lua apps that run next to the data; configure them per installation." />
      <QueryView query={apps} what="edge apps">
        {(rows) => (
          <DataTable
            label="Edge apps"
            rows={rows}
            rowKey={(a) => a.id}
            initialSort={{ key: 'name', dir: 'asc' }}
            columns={[
              {
                key: 'name',
                header: 'Name',
                value: (a) => a.name,
                sortable: true,
                render: (a) => (
                  <div>
                    <Group gap={6}>
                      <Text size="sm" fw={500}>
                        {a.name}
                      </Text>
                      {a.official && (
                        <Badge size="xs" variant="light">
                          official
                        </Badge>
                      )}
                    </Group>
                    <Text size="xs" c="dimmed">
                      {a.short_description}
                    </Text>
                  </div>
                ),
              },
              { key: 'category', header: 'Category', value: (a) => a.category, sortable: true },
              { key: 'publisher', header: 'Publisher', value: (a) => a.publisher.name ?? `#${a.publisher.id}`, sortable: true },
              { key: 'public', header: 'Visibility', value: (a) => (a.public ? 'public' : 'private'), sortable: true },
              { key: 'updated', header: 'Updated', value: (a) => a.updated, sortable: true, render: (a) => formatTime(a.updated) },
            ]}
            empty={<Empty title="No edge apps" hint="Publish an app over the API (/api/v2/edge/app) to make it available here." />}
          />
        )}
      </QueryView>
    </>
  );
}
