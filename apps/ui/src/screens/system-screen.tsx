// The running server: version, uptime, broker, disk use per part of the data dir, recent log lines.
import { Badge, Group, Paper, ScrollArea, Select, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { PageHeader } from '../components/page-header.js';
import { Empty, QueryView } from '../components/states.js';
import { formatBytes, formatDuration, formatTime } from '../lib/time.js';
import { useTRPC } from '../trpc.js';

const levelColor: Record<string, string> = { fatal: 'red', error: 'red', warn: 'orange', info: 'blue', debug: 'gray', trace: 'gray' };

function Fact({ label, value }: { label: string; value: string | number }) {
  return (
    <Paper withBorder p="md">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="lg" fw={700}>
        {value}
      </Text>
    </Paper>
  );
}

type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

export function SystemScreen() {
  const trpc = useTRPC();
  const info = useQuery({ ...trpc.system.info.queryOptions(), refetchInterval: 10_000 });
  const [level, setLevel] = useState<Level>('info');
  const logs = useQuery({ ...trpc.system.logs.queryOptions({ limit: 300, minLevel: level }), refetchInterval: 5_000 });
  return (
    <>
      <PageHeader title="System" description="The server, the MQTT broker and the data on disk." />
      <Stack gap="lg">
        <QueryView query={info} what="system information">
          {(s) => (
            <Stack gap="md">
              <SimpleGrid cols={{ base: 2, md: 4 }}>
                <Fact label="Version" value={s.version} />
                <Fact label="Uptime" value={formatDuration(s.uptime)} />
                <Fact label="Broker clients" value={s.broker.clients} />
                <Fact label="Node.js" value={s.node_version} />
              </SimpleGrid>
              <Paper withBorder p="md" component="section" aria-labelledby="storage-title">
                <Title order={3} size="h5" mb="xs" id="storage-title">
                  Storage
                </Title>
                <Table aria-label="Storage" maw={600}>
                  <Table.Tbody>
                    <Table.Tr>
                      <Table.Th>Data directory</Table.Th>
                      <Table.Td className="lynx-mono">{s.data_dir}</Table.Td>
                    </Table.Tr>
                    <Table.Tr>
                      <Table.Th>Database ({s.database})</Table.Th>
                      <Table.Td>{s.storage.aam_db === null ? 'on the database server' : formatBytes(s.storage.aam_db)}</Table.Td>
                    </Table.Tr>
                    <Table.Tr>
                      <Table.Th>Time series</Table.Th>
                      <Table.Td>{formatBytes(s.storage.tsdb)}</Table.Td>
                    </Table.Tr>
                    <Table.Tr>
                      <Table.Th>MQTT sessions and retained</Table.Th>
                      <Table.Td>{formatBytes(s.storage.mqtt)}</Table.Td>
                    </Table.Tr>
                    <Table.Tr>
                      <Table.Th>Files</Table.Th>
                      <Table.Td>{formatBytes(s.storage.files)}</Table.Td>
                    </Table.Tr>
                  </Table.Tbody>
                </Table>
                <Text size="sm" c="dimmed" mt="xs">
                  Started {formatTime(s.started)} · {s.broker.received} messages received · {s.broker.server_published} published by the server
                </Text>
              </Paper>
            </Stack>
          )}
        </QueryView>
        <Paper withBorder p="md" component="section" aria-labelledby="log-title">
          <Group justify="space-between" mb="xs">
            <Title order={3} size="h5" id="log-title">
              Recent log lines
            </Title>
            <Select
              label="Minimum level"
              data={['trace', 'debug', 'info', 'warn', 'error', 'fatal']}
              value={level}
              onChange={(v) => setLevel((v as Level) ?? 'info')}
              allowDeselect={false}
              w={140}
            />
          </Group>
          <QueryView query={logs} what="log lines">
            {(lines) =>
              lines.length === 0 ? (
                <Empty title="No log lines at this level" hint="Choose a lower minimum level to see more." />
              ) : (
                <ScrollArea h={420} type="auto" tabIndex={0} aria-label="Log lines">
                  <Stack gap={2}>
                    {[...lines].reverse().map((l, i) => (
                      <Group key={`${l.time}-${i}`} gap="xs" wrap="nowrap" align="flex-start" className="lynx-tail">
                        <Text span c="dimmed" className="lynx-tail" style={{ whiteSpace: 'nowrap' }}>
                          {new Date(l.time).toLocaleTimeString(undefined, { hour12: false })}
                        </Text>
                        <Badge size="xs" color={levelColor[l.level] ?? 'gray'} variant="light" w={54}>
                          {l.level}
                        </Badge>
                        {l.component && (
                          <Text span c="dimmed" className="lynx-tail">
                            {l.component}
                          </Text>
                        )}
                        <Text span className="lynx-tail" title={l.line} style={{ wordBreak: 'break-word' }}>
                          {l.msg}
                        </Text>
                      </Group>
                    ))}
                  </Stack>
                </ScrollArea>
              )
            }
          </QueryView>
        </Paper>
      </Stack>
    </>
  );
}
