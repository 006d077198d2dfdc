// Message templates of an installation (Go text/template), with the fields they can use.
import { Code, Group, Paper, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import type { NotificationMessage, NotificationOutput } from '@lynx/shared';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmButton } from '../components/confirm-button.js';
import { DataTable } from '../components/data-table.js';
import { FormDialog } from '../components/form-dialog.js';
import { Empty } from '../components/states.js';
import { useTRPC } from '../trpc.js';

const templateFields: [string, string][] = [
  ['{{.installation.Name}}', 'installation name (also .ID, .ClientID)'],
  ['{{.organization.Name}}', 'organization name (also .ID, .Email, .Phone, .Notes, .Address.City …)'],
  ['{{.payload.value}}', 'any key of the JSON sent with the notification'],
  ['{{(toTime .payload.timestamp).Format "2006-01-02 15:04"}}', 'Unix seconds as a time in the installation’s timezone (Go layout)'],
  ['{{if gt .payload.value 25.0}}hot{{else}}ok{{end}}', 'conditions: eq ne lt le gt ge and or not'],
];

export function TemplateHelp() {
  return (
    <Paper withBorder p="xs" bg="var(--mantine-color-gray-0)" aria-labelledby="template-help-title">
      <Text size="sm" fw={600} id="template-help-title">
        Template fields
      </Text>
      <Text size="xs" c="dimmed" mb={4}>
        The text is a Go template. Field names are case sensitive; a missing payload key prints &lt;no value&gt;.
      </Text>
      <Table verticalSpacing={2} fz="xs" aria-labelledby="template-help-title">
        <Table.Tbody>
          {templateFields.map(([code, what]) => (
            <Table.Tr key={code}>
              <Table.Td>
                <Code>{code}</Code>
              </Table.Td>
              <Table.Td>{what}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Paper>
  );
}

function MessageDialog({ installationId, message }: { installationId: number; message?: NotificationMessage }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const create = useMutation(trpc.notifications.messages.create.mutationOptions());
  const update = useMutation(trpc.notifications.messages.update.mutationOptions());
  const mutation = message ? update : create;
  const [name, setName] = useState('');
  const [text, setText] = useState('');
  return (
    <FormDialog
      label={message ? 'Edit' : 'Create message'}
      title={message ? `Edit message ${message.name}` : undefined}
      submitLabel={message ? 'Save' : undefined}
      buttonAriaLabel={message ? `Edit message ${message.name}` : undefined}
      buttonProps={message ? { variant: 'subtle', size: 'xs', leftSection: <IconPencil size={14} aria-hidden /> } : { leftSection: <IconPlus size={16} aria-hidden /> }}
      pending={mutation.isPending}
      error={mutation.error}
      onOpen={() => {
        mutation.reset();
        setName(message?.name ?? '');
        setText(message?.text ?? 'Alarm on {{.installation.Name}}: {{.payload.value}}');
      }}
      onSubmit={async () => {
        try {
          if (message) await update.mutateAsync({ installationId, id: message.id, name: name.trim(), text });
          else await create.mutateAsync({ installationId, name: name.trim(), text });
          await queryClient.invalidateQueries({ queryKey: trpc.notifications.messages.list.queryKey() });
          return true;
        } catch {
          return false;
        }
      }}
    >
      <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} required data-autofocus />
      <Textarea label="Text" description="Checked when saved; errors name the line and column." value={text} onChange={(e) => setText(e.currentTarget.value)} autosize minRows={4} maxRows={14} ff="monospace" required />
      <TemplateHelp />
    </FormDialog>
  );
}

function DeleteMessage({ installationId, message, usedBy }: { installationId: number; message: NotificationMessage; usedBy: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const del = useMutation(trpc.notifications.messages.delete.mutationOptions());
  return (
    <ConfirmButton
      label={<IconTrash size={14} aria-hidden />}
      ariaLabel={`Delete message ${message.name}`}
      confirmLabel="Delete"
      buttonProps={{ variant: 'subtle' }}
      title={`Delete ${message.name}?`}
      message={usedBy > 0 ? `${usedBy} output${usedBy === 1 ? ' uses' : 's use'} this message; change them first if the server refuses.` : 'The template is removed.'}
      pending={del.isPending}
      error={del.error}
      onConfirm={async () => {
        await del.mutateAsync({ installationId, id: message.id });
        await queryClient.invalidateQueries({ queryKey: trpc.notifications.messages.list.queryKey() });
      }}
    />
  );
}

export function MessagesSection({
  installationId,
  messages,
  outputs,
  canCreate,
  canUpdate,
}: {
  installationId: number;
  messages: NotificationMessage[];
  outputs: NotificationOutput[];
  canCreate: boolean;
  canUpdate: boolean;
}) {
  const usedBy = (id: number) => outputs.filter((o) => o.notification_message_id === id).length;
  return (
    <section aria-labelledby="messages-title">
      <Title order={3} size="h5" mb="xs" id="messages-title">
        Messages
      </Title>
      <DataTable
        label="Notification messages"
        rows={messages}
        rowKey={(m) => m.id}
        initialSort={{ key: 'name', dir: 'asc' }}
        pageSize={10}
        toolbar={canCreate && <MessageDialog installationId={installationId} />}
        columns={[
          { key: 'name', header: 'Name', value: (m) => m.name, sortable: true, render: (m) => <Text fw={500} size="sm">{m.name}</Text> },
          {
            key: 'text',
            header: 'Text',
            value: (m) => m.text,
            render: (m) => (
              <Text size="xs" className="lynx-mono" lineClamp={2} maw={420}>
                {m.text}
              </Text>
            ),
          },
          { key: 'used', header: 'Outputs', value: (m) => usedBy(m.id), sortable: true, align: 'right' },
          {
            key: 'actions',
            header: 'Actions',
            value: () => '',
            render: (m) => (
              <Group gap={4} wrap="nowrap">
                {canUpdate && <MessageDialog installationId={installationId} message={m} />}
                {canCreate && <DeleteMessage installationId={installationId} message={m} usedBy={usedBy(m.id)} />}
              </Group>
            ),
          },
        ]}
        empty={<Empty title="No messages" hint={canCreate ? 'A message is the text sent; create one, then an output that sends it.' : 'No message templates on this installation.'} />}
      />
    </section>
  );
}
