// Outputs (a message sent through an executor with per-output settings such as receivers), and
// the "Send test" action that queues a delivery with a payload of the user's choice.
import { Badge, Group, Select, Text, Textarea, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconPencil, IconPlus, IconSend, IconTrash } from '@tabler/icons-react';
import type { NotificationExecutor, NotificationMessage, NotificationOutput } from '@lynx/shared';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmButton } from '../components/confirm-button.js';
import { DataTable } from '../components/data-table.js';
import { FormDialog } from '../components/form-dialog.js';
import { KeyValueEditor, recordFromRows, rowsFromRecord, type KeyValueRow } from '../components/key-value-editor.js';
import { Empty } from '../components/states.js';
import { useTRPC } from '../trpc.js';

interface Refs {
  messages: NotificationMessage[];
  executors: NotificationExecutor[];
}

function OutputDialog({ installationId, output, refs }: { installationId: number; output?: NotificationOutput; refs: Refs }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const create = useMutation(trpc.notifications.outputs.create.mutationOptions());
  const update = useMutation(trpc.notifications.outputs.update.mutationOptions());
  const mutation = output ? update : create;
  const [name, setName] = useState('');
  const [executorId, setExecutorId] = useState<string | null>(null);
  const [messageId, setMessageId] = useState<string | null>(null);
  const [rows, setRows] = useState<KeyValueRow[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const executor = refs.executors.find((e) => String(e.id) === executorId);
  const chooseExecutor = (id: string | null) => {
    setExecutorId(id);
    const e = refs.executors.find((x) => String(x.id) === id);
    // An e-mail output needs receivers: offer the row rather than let the first send fail.
    if (e?.type === 'email' && !rows.some((r) => r.key === 'receivers')) setRows([...rows, { key: 'receivers', value: '' }]);
  };
  return (
    <FormDialog
      label={output ? 'Edit' : 'Create output'}
      title={output ? `Edit output ${output.name}` : undefined}
      submitLabel={output ? 'Save' : undefined}
      buttonAriaLabel={output ? `Edit output ${output.name}` : undefined}
      buttonProps={output ? { variant: 'subtle', size: 'xs', leftSection: <IconPencil size={14} aria-hidden /> } : { leftSection: <IconPlus size={16} aria-hidden /> }}
      pending={mutation.isPending}
      error={problem ? new Error(problem) : mutation.error}
      onOpen={() => {
        mutation.reset();
        setProblem(null);
        setName(output?.name ?? '');
        setExecutorId(output ? String(output.notification_output_executor_id) : null);
        setMessageId(output ? String(output.notification_message_id) : refs.messages.length === 1 ? String(refs.messages[0]!.id) : null);
        setRows(output ? rowsFromRecord(output.config) : []);
      }}
      onSubmit={async () => {
        mutation.reset();
        const config = recordFromRows(rows);
        const p = !executorId ? 'Choose the executor that delivers this output.' : !messageId ? 'Choose the message this output sends.' : 'error' in config ? config.error : null;
        setProblem(p);
        if (p || 'error' in config) return false;
        const data = { installationId, name: name.trim(), executorId: Number(executorId), messageId: Number(messageId), config: config.record };
        try {
          if (output) await update.mutateAsync({ ...data, id: output.id });
          else await create.mutateAsync(data);
          await queryClient.invalidateQueries({ queryKey: trpc.notifications.outputs.list.queryKey() });
          return true;
        } catch {
          return false;
        }
      }}
    >
      <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} required data-autofocus />
      <Select
        label="Executor"
        description="Who delivers it: a webhook or an e-mail server, set up by an administrator."
        placeholder={refs.executors.length ? 'Choose an executor' : 'No executor available'}
        data={refs.executors.map((e) => ({ value: String(e.id), label: `${e.name} (${e.type})` }))}
        value={executorId}
        onChange={chooseExecutor}
        required
        searchable
      />
      <Select
        label="Message"
        placeholder={refs.messages.length ? 'Choose a message' : 'Create a message first'}
        data={refs.messages.map((m) => ({ value: String(m.id), label: m.name }))}
        value={messageId}
        onChange={setMessageId}
        required
        searchable
      />
      <div>
        <Text size="sm" fw={500}>
          Output settings
        </Text>
        <Text size="xs" c="dimmed" mb={4}>
          {executor?.type === 'email'
            ? 'receivers: comma-separated addresses; subject: optional. Values may use template fields.'
            : 'Passed to the executor as output_config; values may use template fields.'}
        </Text>
        <KeyValueEditor label="Output setting" rows={rows} onChange={setRows} keyPlaceholder="e.g. receivers" />
      </div>
    </FormDialog>
  );
}

function SendTestDialog({ installationId, output }: { installationId: number; output: NotificationOutput }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const send = useMutation(trpc.notifications.send.mutationOptions());
  const [payload, setPayload] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  return (
    <FormDialog
      label="Send test"
      title={`Send a test through ${output.name}`}
      submitLabel="Send"
      buttonAriaLabel={`Send test to ${output.name}`}
      buttonProps={{ variant: 'subtle', size: 'xs', leftSection: <IconSend size={14} aria-hidden /> }}
      pending={send.isPending}
      error={problem ? new Error(problem) : send.error}
      onOpen={() => {
        send.reset();
        setProblem(null);
        setPayload(`{\n  "value": 1,\n  "timestamp": ${Math.floor(Date.now() / 1000)}\n}`);
      }}
      onSubmit={async () => {
        send.reset();
        let value: unknown;
        try {
          value = JSON.parse(payload || '{}');
        } catch (err) {
          setProblem(`The payload is not valid JSON: ${(err as Error).message}`);
          return false;
        }
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          setProblem('The payload must be a JSON object; it becomes .payload of the message.');
          return false;
        }
        setProblem(null);
        try {
          const res = await send.mutateAsync({ installationId, outputId: output.id, payload: value as Record<string, unknown> });
          notifications.show({ title: `Test queued as delivery #${res.delivery_id}`, message: 'Its status shows under Recent deliveries.', color: 'green' });
          await queryClient.invalidateQueries({ queryKey: trpc.notifications.deliveries.queryKey() });
          return true;
        } catch {
          return false;
        }
      }}
    >
      <Textarea label="Payload (JSON)" description="Becomes .payload in the message template." value={payload} onChange={(e) => setPayload(e.currentTarget.value)} autosize minRows={4} ff="monospace" />
    </FormDialog>
  );
}

function DeleteOutput({ installationId, output }: { installationId: number; output: NotificationOutput }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const del = useMutation(trpc.notifications.outputs.delete.mutationOptions());
  return (
    <ConfirmButton
      label={<IconTrash size={14} aria-hidden />}
      ariaLabel={`Delete output ${output.name}`}
      confirmLabel="Delete"
      buttonProps={{ variant: 'subtle' }}
      title={`Delete ${output.name}?`}
      message="Notifications sent to this output stop; edge apps using it get errors."
      pending={del.isPending}
      error={del.error}
      onConfirm={async () => {
        await del.mutateAsync({ installationId, id: output.id });
        await queryClient.invalidateQueries({ queryKey: trpc.notifications.outputs.list.queryKey() });
      }}
    />
  );
}

export function OutputsSection({
  installationId,
  outputs,
  refs,
  rights,
}: {
  installationId: number;
  outputs: NotificationOutput[];
  refs: Refs;
  rights: { create: boolean; update: boolean; send: boolean };
}) {
  const messageName = (id: number) => refs.messages.find((m) => m.id === id)?.name ?? `#${id}`;
  const executor = (id: number) => refs.executors.find((e) => e.id === id);
  return (
    <section aria-labelledby="outputs-title">
      <Title order={3} size="h5" mb="xs" id="outputs-title">
        Outputs
      </Title>
      <DataTable
        label="Notification outputs"
        rows={outputs}
        rowKey={(o) => o.id}
        initialSort={{ key: 'name', dir: 'asc' }}
        pageSize={10}
        toolbar={rights.create && <OutputDialog installationId={installationId} refs={refs} />}
        columns={[
          { key: 'name', header: 'Name', value: (o) => o.name, sortable: true, render: (o) => <Text fw={500} size="sm">{o.name}</Text> },
          { key: 'message', header: 'Message', value: (o) => messageName(o.notification_message_id), sortable: true },
          {
            key: 'executor',
            header: 'Executor',
            value: (o) => executor(o.notification_output_executor_id)?.name ?? `#${o.notification_output_executor_id}`,
            sortable: true,
            render: (o) => {
              const e = executor(o.notification_output_executor_id);
              return e ? (
                <Group gap={6} wrap="nowrap">
                  <span>{e.name}</span>
                  <Badge size="xs" variant="light" color="gray">
                    {e.type}
                  </Badge>
                </Group>
              ) : (
                `#${o.notification_output_executor_id}`
              );
            },
          },
          {
            key: 'config',
            header: 'Settings',
            value: (o) => Object.entries(o.config).map(([k, v]) => `${k}=${v}`).join(', '),
            render: (o) => (
              <Text size="xs" className="lynx-mono" lineClamp={2} maw={280}>
                {Object.entries(o.config).map(([k, v]) => `${k}=${v}`).join(', ') || '—'}
              </Text>
            ),
          },
          {
            key: 'actions',
            header: 'Actions',
            value: () => '',
            render: (o) => (
              <Group gap={4} wrap="nowrap">
                {rights.send && <SendTestDialog installationId={installationId} output={o} />}
                {rights.update && <OutputDialog installationId={installationId} output={o} refs={refs} />}
                {rights.create && <DeleteOutput installationId={installationId} output={o} />}
              </Group>
            ),
          },
        ]}
        empty={
          <Empty
            title="No notification outputs"
            hint={rights.create ? 'An output sends a message through an executor (webhook, e-mail). Create a message first, then an output.' : 'Nothing is configured to send notifications here.'}
          />
        }
      />
    </section>
  );
}
