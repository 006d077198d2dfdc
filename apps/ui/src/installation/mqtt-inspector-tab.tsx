// A live tail of the installation's MQTT topics and a form to publish on them, as a gateway or
// device would (the server checks the user's MQTT publish right).
import { Alert, Badge, Button, Checkbox, Grid, Group, Paper, Select, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { IconCheck, IconPlayerPause, IconPlayerPlay, IconSend, IconTrash } from '@tabler/icons-react';
import type { TailMessage } from '@lynx/shared';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef, useState } from 'react';
import { FormAlert } from '../components/form-dialog.js';
import { ErrorState } from '../components/states.js';
import { usePermissions } from '../session/use-permissions.js';
import { useExpireOnUnauthorized } from '../session/session-context.js';
import { useTRPC } from '../trpc.js';
import { useSubscription } from '@trpc/tanstack-react-query';
import { LiveStatus } from './live-values-tab.js';

const keep = 1000;

interface Line extends TailMessage {
  seq: number;
}

function TailList({ lines }: { lines: Line[] }) {
  const parent = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: lines.length, getScrollElement: () => parent.current, estimateSize: () => 26, overscan: 12 });
  return (
    <div ref={parent} style={{ height: 420, overflow: 'auto' }} tabIndex={0} role="log" aria-label="MQTT messages" aria-live="off">
      <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
        {virtual.getVirtualItems().map((item) => {
          const m = lines[item.index];
          return (
            <div
              key={m.seq}
              className="lynx-tail"
              style={{ position: 'absolute', top: 0, left: 0, right: 0, transform: `translateY(${item.start}px)`, padding: '3px 6px', borderBottom: '1px solid var(--mantine-color-gray-2)', whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' }}
              title={m.payload}
            >
              <Text span c="dimmed" className="lynx-tail">
                {new Date(m.timestamp * 1000).toLocaleTimeString(undefined, { hour12: false })}
              </Text>{' '}
              <Text span fw={600} className="lynx-tail">
                {m.topic}
              </Text>{' '}
              {m.retain && (
                <Badge size="xs" variant="light">
                  retained
                </Badge>
              )}{' '}
              <Text span className="lynx-tail">
                {m.payload}
              </Text>
            </div>
          );
        })}
      </div>
    </div>
  );
}

function Tail({ installationId }: { installationId: number }) {
  const trpc = useTRPC();
  const expireOnUnauthorized = useExpireOnUnauthorized();
  const [draft, setDraft] = useState('#');
  const [filter, setFilter] = useState('#');
  const [paused, setPaused] = useState(false);
  const [lines, setLines] = useState<Line[]>([]);
  const [skipped, setSkipped] = useState(0);
  const seq = useRef(0);
  const sub = useSubscription(
    trpc.data.tail.subscriptionOptions(
      { installationId, filter },
      {
        enabled: !paused,
        onError: expireOnUnauthorized,
        onData: (event) => {
          if (event.kind === 'skipped') setSkipped((s) => s + event.count);
          else setLines((cur) => [{ ...event.message, seq: seq.current++ }, ...cur].slice(0, keep));
        },
      },
    ),
  );
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="tail-title">
      <Group justify="space-between" mb="sm">
        <Title order={3} size="h5" id="tail-title">
          Live messages
        </Title>
        <LiveStatus status={paused ? 'idle' : sub.status} error={sub.error} />
      </Group>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setFilter(draft.trim() || '#');
          setLines([]);
          setSkipped(0);
        }}
      >
        <Group align="flex-end" gap="sm" mb="sm">
          <TextInput label="Filter" description="MQTT filter without the client id: # for all, obj/+/temperature" value={draft} onChange={(e) => setDraft(e.currentTarget.value)} classNames={{ input: "lynx-mono" }} style={{ flex: 1 }} />
          <Button type="submit" variant="default">
            Apply filter
          </Button>
          <Button variant="default" onClick={() => setPaused((p) => !p)} leftSection={paused ? <IconPlayerPlay size={16} aria-hidden /> : <IconPlayerPause size={16} aria-hidden />}>
            {paused ? 'Resume' : 'Pause'}
          </Button>
          <Button
            variant="subtle"
            color="gray"
            onClick={() => {
              setLines([]);
              setSkipped(0);
            }}
            leftSection={<IconTrash size={16} aria-hidden />}
          >
            Clear
          </Button>
        </Group>
      </form>
      {sub.error && <ErrorState error={sub.error} what="the message tail" onRetry={() => sub.reset()} />}
      {skipped > 0 && (
        <Alert color="yellow" variant="light" mb="xs" p="xs">
          {skipped} messages were left out because they came faster than the tail shows. Narrow the filter to see them all.
        </Alert>
      )}
      {lines.length === 0 ? (
        <Text size="sm" c="dimmed" py="lg" ta="center">
          {paused ? 'Paused. Resume to see new messages.' : `Waiting for messages on ${filter}… Publish one below or from a device.`}
        </Text>
      ) : (
        <TailList lines={lines} />
      )}
      <Text size="xs" c="dimmed" mt="xs">
        Newest first; the last {keep} messages are kept.
      </Text>
    </Paper>
  );
}

function Publish({ installationId }: { installationId: number }) {
  const trpc = useTRPC();
  const functions = useQuery(trpc.functions.list.queryOptions({ installationId, filters: {} }));
  const [topic, setTopic] = useState('');
  const [payload, setPayload] = useState('');
  const [qos, setQos] = useState('1');
  const [retain, setRetain] = useState(false);
  const publish = useMutation(trpc.data.publish.mutationOptions());
  const topics = [...new Set((functions.data ?? []).flatMap((f) => Object.entries(f.meta).filter(([k]) => k.startsWith('topic_')).map(([, v]) => v.trim())))].filter(Boolean).sort();
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="publish-title">
      <Title order={3} size="h5" mb="sm" id="publish-title">
        Publish a message
      </Title>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          publish.mutate({ installationId, topic: topic.trim(), payload, qos: qos === '0' ? 0 : 1, retain });
        }}
      >
        <Stack gap="sm">
          <TextInput
            label="Topic"
            description="Without the client id, e.g. set/obj/lamp/switch"
            list="publish-topics"
            value={topic}
            onChange={(e) => setTopic(e.currentTarget.value)}
            autoComplete="off"
            classNames={{ input: "lynx-mono" }}
          />
          <datalist id="publish-topics">
            {topics.map((t) => (
              <option key={t} value={t} />
            ))}
          </datalist>
          <Textarea
            label="Payload"
            description='A Lynx value is JSON: {"value": 1, "timestamp": …}'
            value={payload}
            onChange={(e) => setPayload(e.currentTarget.value)}
            autosize
            minRows={2}
            classNames={{ input: "lynx-mono" }}
          />
          <Group gap="sm" align="flex-end">
            <Button
              variant="subtle"
              size="xs"
              onClick={() => setPayload(JSON.stringify({ value: 1, timestamp: Math.round(Date.now() / 10) / 100 }))}
              type="button"
            >
              Insert value template
            </Button>
          </Group>
          <Group gap="md" align="flex-end">
            <Select label="QoS" data={['0', '1']} value={qos} onChange={(v) => setQos(v ?? '1')} allowDeselect={false} w={90} />
            <Checkbox label="Retain" checked={retain} onChange={(e) => setRetain(e.currentTarget.checked)} mb={8} />
          </Group>
          <FormAlert error={publish.error} />
          {publish.data && !publish.error && (
            <Group gap={4} role="status">
              <IconCheck size={16} aria-hidden color="var(--mantine-color-green-7)" />
              <Text size="sm">Published on {publish.data.topic}</Text>
            </Group>
          )}
          <Group>
            <Button type="submit" loading={publish.isPending} leftSection={<IconSend size={16} aria-hidden />}>
              Publish
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

export function MqttInspectorTab({ installationId }: { installationId: number }) {
  const p = usePermissions();
  const canSubscribe = !p.loaded || p.any('mqtt/subscribe') || p.has('mqtt/subscribe/broad');
  const canPublish = !p.loaded || p.any('mqtt/publish');
  return (
    <Grid gap="md">
      {canSubscribe && (
        <Grid.Col span={{ base: 12, lg: canPublish ? 8 : 12 }}>
          <Tail installationId={installationId} />
        </Grid.Col>
      )}
      {canPublish && (
        <Grid.Col span={{ base: 12, lg: canSubscribe ? 4 : 12 }}>
          <Publish installationId={installationId} />
        </Grid.Col>
      )}
    </Grid>
  );
}
