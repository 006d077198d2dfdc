// Last values of the installation's functions, updated as the bus stores them (tRPC SSE
// subscription): a snapshot of the current status first, then each new value.
import { Badge, Group, Table, Text, TextInput, Tooltip } from '@mantine/core';
import { IconSearch } from '@tabler/icons-react';
import type { LiveValue } from '@lynx/shared';
import { useQuery } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useEffect, useState } from 'react';
import { Empty, ErrorState, QueryView } from '../components/states.js';
import { formatValue, readTopics } from '../lib/format-value.js';
import { formatTime, timeAgo } from '../lib/time.js';
import { useExpireOnUnauthorized } from '../session/session-context.js';
import { errorMessage, useTRPC } from '../trpc.js';
import { objectName } from './xobjects-tab.js';
import { FunctionControl } from './function-control.js';
import { usePermissions } from '../session/use-permissions.js';

/** Keeps the newest value per topic from snapshot and update events. */
export function mergeLive(current: Map<string, LiveValue>, values: LiveValue[], replace: boolean): Map<string, LiveValue> {
  const next = replace ? new Map<string, LiveValue>() : new Map(current);
  for (const v of values) {
    const old = next.get(v.topic);
    if (!old || old.timestamp <= v.timestamp) next.set(v.topic, v);
  }
  return next;
}

/** Re-renders every few seconds so "3 s ago" stays true between values. */
function useTicker(ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

export function LiveStatus({ status, error }: { status: string; error: unknown }) {
  const label = status === 'pending' ? 'Live' : status === 'connecting' ? 'Connecting…' : status === 'error' ? 'Disconnected' : 'Paused';
  const color = status === 'pending' ? 'green' : status === 'connecting' ? 'yellow' : status === 'error' ? 'red' : 'gray';
  return (
    <Tooltip label={error ? errorMessage(error) : 'Values arrive as devices publish them'}>
      <Badge color={color} variant="dot" role="status" aria-live="polite">
        {label}
      </Badge>
    </Tooltip>
  );
}

export function LiveValuesTab({ installationId }: { installationId: number }) {
  const trpc = useTRPC();
  const expireOnUnauthorized = useExpireOnUnauthorized();
  const functions = useQuery(trpc.functions.list.queryOptions({ installationId, filters: {} }));
  const [values, setValues] = useState<Map<string, LiveValue>>(new Map());
  const [search, setSearch] = useState('');
  const now = useTicker(5000);
  const permissions = usePermissions();
  // Commands go over MQTT publish; without that right the column is left out.
  const canControl = permissions.any('mqtt/publish') && (functions.data ?? []).some((f) => f.meta.topic_write?.trim());
  const sub = useSubscription(
    trpc.data.live.subscriptionOptions(
      { installationId },
      {
        onData: (event) => setValues((cur) => mergeLive(cur, event.values, event.kind === 'snapshot')),
        onError: expireOnUnauthorized,
      },
    ),
  );

  return (
    <QueryView query={functions} what="functions">
      {(fns) => {
        const needle = search.trim().toLowerCase();
        const rows = fns
          .flatMap((f) => readTopics(f.meta).map((t) => ({ f, ...t })))
          .filter((r) => !needle || `${objectName(r.f, 'function')} ${r.f.type} ${r.topic}`.toLowerCase().includes(needle))
          .sort((a, b) => objectName(a.f, 'function').localeCompare(objectName(b.f, 'function'), undefined, { numeric: true }));
        const withoutTopic = fns.filter((f) => readTopics(f.meta).length === 0).length;
        return (
          <>
            <Group justify="space-between" mb="sm">
              <TextInput
                label="Search live values"
                placeholder="Name, type or topic"
                leftSection={<IconSearch size={16} aria-hidden />}
                value={search}
                onChange={(e) => setSearch(e.currentTarget.value)}
                w={280}
              />
              <LiveStatus status={sub.status} error={sub.error} />
            </Group>
            {sub.error && <ErrorState error={sub.error} what="live values" onRetry={() => sub.reset()} />}
            {fns.length === 0 ? (
              <Empty title="No functions yet" hint="Live values show per function: create functions with a read topic on the Functions tab." />
            ) : rows.length === 0 ? (
              <Empty title={needle ? 'Nothing matches the search' : 'No function has a read topic'} hint={needle ? 'Change or clear the search.' : 'Set “Read topic” on the functions to see their values here.'} />
            ) : (
              <Table.ScrollContainer minWidth={600}>
                <Table striped aria-label="Live values" verticalSpacing="xs">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Function</Table.Th>
                      <Table.Th>Type</Table.Th>
                      <Table.Th>Topic</Table.Th>
                      <Table.Th style={{ textAlign: 'right' }}>Value</Table.Th>
                      <Table.Th>Updated</Table.Th>
                      {canControl && <Table.Th>Control</Table.Th>}
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {rows.map((r) => {
                      const v = values.get(r.topic);
                      return (
                        <Table.Tr key={`${r.f.id}:${r.key}`}>
                          <Table.Td fw={500}>
                            {objectName(r.f, 'function')}
                            {r.key !== 'read' ? ` (${r.key})` : ''}
                          </Table.Td>
                          <Table.Td>
                            <Badge variant="light">{r.f.type}</Badge>
                          </Table.Td>
                          <Table.Td className="lynx-mono">{r.topic}</Table.Td>
                          <Table.Td style={{ textAlign: 'right' }} fw={600} aria-live="off" data-live-value={v?.value ?? ''}>
                            {v ? (v.value === null ? <Text c="dimmed">{v.msg || '—'}</Text> : formatValue(v.value, r.f.meta, r.key)) : <Text c="dimmed">no value yet</Text>}
                          </Table.Td>
                          <Table.Td>
                            {v ? (
                              <Tooltip label={formatTime(v.timestamp)}>
                                <Text size="sm">{timeAgo(v.timestamp, now)}</Text>
                              </Tooltip>
                            ) : (
                              '—'
                            )}
                          </Table.Td>
                          {canControl && <Table.Td>{r.key === 'read' && <FunctionControl installationId={installationId} fn={r.f} />}</Table.Td>}
                        </Table.Tr>
                      );
                    })}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
            {withoutTopic > 0 && (
              <Text size="sm" c="dimmed" mt="xs">
                {withoutTopic} {withoutTopic === 1 ? 'function has' : 'functions have'} no read topic and {withoutTopic === 1 ? 'is' : 'are'} not shown.
              </Text>
            )}
          </>
        );
      }}
    </QueryView>
  );
}
