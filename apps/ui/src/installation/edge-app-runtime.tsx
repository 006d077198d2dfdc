// What the server-side runtime says about an instance: its state with the reason when it is not
// running, and its log, refreshed while shown.
import { Badge, Button, Code, Group, Modal, ScrollArea, SegmentedControl, SimpleGrid, Stack, Text } from '@mantine/core';
import { IconFileText, IconRefresh } from '@tabler/icons-react';
import type { EdgeAppInstance, EdgeInstanceLogEntry, EdgeInstanceStatus } from '@lynx/shared';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ErrorState, Loading } from '../components/states.js';
import { formatTime } from '../lib/time.js';
import { useTRPC } from '../trpc.js';

const stateColor: Record<EdgeInstanceStatus['state'], string> = { running: 'green.9', starting: 'blue.9', crashed: 'red.9', stopped: 'gray.7' };
const levelColor: Record<EdgeInstanceLogEntry['level'], string> = { debug: 'dimmed', info: 'inherit', warn: 'orange.8', error: 'red.8' };

export function useInstanceStatus(installationId: number, instanceId: number, refetchInterval = 15_000) {
  const trpc = useTRPC();
  return useQuery({ ...trpc.edgeApps.instanceStatus.queryOptions({ installationId, instanceId }), refetchInterval });
}

/** The state badge, with the reason written out (not only in a tooltip) when it is not running. */
export function InstanceState({ installationId, instance }: { installationId: number; instance: EdgeAppInstance }) {
  const status = useInstanceStatus(installationId, instance.id);
  if (status.error) return <Badge variant="light" color="gray">unknown</Badge>;
  if (!status.data) return <Badge variant="light" color="gray">…</Badge>;
  const { state, reason, restarts } = status.data;
  return (
    <Stack gap={2}>
      <Group gap={4}>
        <Badge variant="outline" c="dark.7" color={stateColor[state]}>
          {state}
        </Badge>
        {restarts > 0 && (
          <Text size="xs" c="dimmed">
            {restarts} restart{restarts === 1 ? '' : 's'}
          </Text>
        )}
      </Group>
      {reason && (
        <Text size="xs" c={state === 'crashed' ? 'red.8' : 'dimmed'} lineClamp={2} maw={320} title={reason}>
          {reason}
        </Text>
      )}
    </Stack>
  );
}

function LogView({ installationId, instanceId, label }: { installationId: number; instanceId: number; label: string }) {
  const trpc = useTRPC();
  const [level, setLevel] = useState('all');
  const logs = useQuery({ ...trpc.edgeApps.instanceLogs.queryOptions({ installationId, instanceId, limit: 500 }), refetchInterval: 5_000 });
  if (logs.error) return <ErrorState error={logs.error} what="the log" onRetry={() => void logs.refetch()} />;
  if (!logs.data) return <Loading label="Loading the log…" />;
  const order = ['debug', 'info', 'warn', 'error'];
  const shown = logs.data.filter((e) => level === 'all' || order.indexOf(e.level) >= order.indexOf(level));
  return (
    <Stack gap="xs">
      <Group justify="space-between">
        <SegmentedControl
          size="xs"
          aria-label="Least log level shown"
          value={level}
          onChange={setLevel}
          data={[
            { value: 'all', label: 'All' },
            { value: 'info', label: 'Info+' },
            { value: 'warn', label: 'Warnings+' },
            { value: 'error', label: 'Errors' },
          ]}
        />
        <Button size="xs" variant="default" leftSection={<IconRefresh size={14} aria-hidden />} onClick={() => void logs.refetch()} loading={logs.isFetching}>
          Refresh
        </Button>
      </Group>
      <ScrollArea h={320} type="auto" offsetScrollbars>
        <div role="log" aria-label={label} tabIndex={0}>
          {shown.length === 0 ? (
            <Text size="sm" c="dimmed">
              {logs.data.length === 0 ? 'Nothing logged yet.' : 'Nothing at this level.'}
            </Text>
          ) : (
            shown.map((e, i) => (
              <Text key={i} size="xs" ff="monospace" c={levelColor[e.level]} style={{ whiteSpace: 'pre-wrap' }}>
                {formatTime(e.time)} {e.level.toUpperCase().padEnd(5)} {e.message}
              </Text>
            ))
          )}
        </div>
      </ScrollArea>
    </Stack>
  );
}

export function InstanceDetailsButton({ installationId, instance, name }: { installationId: number; instance: EdgeAppInstance; name: string }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant="subtle" size="xs" leftSection={<IconFileText size={14} aria-hidden />} aria-label={`Status and log of ${name}`} onClick={() => setOpen(true)}>
        Log
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={`${name}: status and log`} size="xl" centered>
        {open && <InstanceDetails installationId={installationId} instance={instance} name={name} />}
      </Modal>
    </>
  );
}

function InstanceDetails({ installationId, instance, name }: { installationId: number; instance: EdgeAppInstance; name: string }) {
  const status = useInstanceStatus(installationId, instance.id, 5_000);
  return (
    <Stack gap="md">
      {status.error ? (
        <ErrorState error={status.error} what="the status" onRetry={() => void status.refetch()} />
      ) : !status.data ? (
        <Loading label="Loading the status…" />
      ) : (
        <SimpleGrid cols={4}>
          <div>
            <Text size="xs" c="dimmed">
              State
            </Text>
            <Badge variant="outline" c="dark.7" color={stateColor[status.data.state]}>
              {status.data.state}
            </Badge>
          </div>
          <div>
            <Text size="xs" c="dimmed">
              Version
            </Text>
            <Code>{status.data.version.slice(0, 16)}</Code>
          </div>
          <div>
            <Text size="xs" c="dimmed">
              Started
            </Text>
            <Text size="sm">{formatTime(status.data.started)}</Text>
          </div>
          <div>
            <Text size="xs" c="dimmed">
              Restarts
            </Text>
            <Text size="sm">{status.data.restarts}</Text>
          </div>
          {status.data.reason && (
            <div style={{ gridColumn: '1 / -1' }}>
              <Text size="xs" c="dimmed">
                Reason
              </Text>
              <Text size="sm" c={status.data.state === 'crashed' ? 'red.8' : undefined} style={{ whiteSpace: 'pre-wrap' }}>
                {status.data.reason}
              </Text>
            </div>
          )}
        </SimpleGrid>
      )}
      <LogView installationId={installationId} instanceId={instance.id} label={`Log of ${name}`} />
    </Stack>
  );
}
