// Executors the installation's outputs may use (its organization's and its ancestors'). Those who
// administer the organization create, edit and delete them here; secrets are write only.
import { Badge, Checkbox, Group, PasswordInput, Select, SimpleGrid, Text, TextInput, Title } from '@mantine/core';
import { IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import type { NotificationExecutor } from '@lynx/shared';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmButton } from '../components/confirm-button.js';
import { DataTable } from '../components/data-table.js';
import { FormDialog } from '../components/form-dialog.js';
import { KeyValueEditor } from '../components/key-value-editor.js';
import { Empty } from '../components/states.js';
import { useTRPC } from '../trpc.js';
import { blankExecutorForm, changeExecutorType, executorFormFrom, executorWrite, type ExecutorForm } from './executor-form.js';

const tlsChoices = [
  { value: '', label: 'Opportunistic (STARTTLS when offered)' },
  { value: 'starttls', label: 'STARTTLS required' },
  { value: 'true', label: 'Implicit TLS (SMTPS, port 465)' },
  { value: 'false', label: 'None' },
];

function ExecutorFields({ form, setForm }: { form: ExecutorForm; setForm: (f: ExecutorForm) => void }) {
  const field = (key: string, label: string, extra: { description?: string; placeholder?: string; required?: boolean } = {}) => (
    <TextInput label={label} {...extra} value={form.fields[key] ?? ''} onChange={(e) => setForm({ ...form, fields: { ...form.fields, [key]: e.currentTarget.value } })} />
  );
  const email = form.type === 'email';
  return (
    <>
      <SimpleGrid cols={2}>
        <TextInput label="Name" value={form.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} required data-autofocus />
        <Select
          label="Type"
          data={[
            { value: 'webhook', label: 'Webhook (JSON POST)' },
            { value: 'email', label: 'E-mail (SMTP)' },
            ...(['webhook', 'email'].includes(form.type) ? [] : [{ value: form.type, label: `${form.type} (webhook)` }]),
          ]}
          value={form.type}
          onChange={(v) => v && setForm(changeExecutorType(form, v))}
          allowDeselect={false}
        />
      </SimpleGrid>
      {email ? (
        <>
          <SimpleGrid cols={3}>
            {field('host', 'SMTP host', { required: true, placeholder: 'smtp.example.com' })}
            {field('port', 'Port', { placeholder: '587' })}
            <Select label="TLS" data={tlsChoices} value={form.fields.tls ?? ''} onChange={(v) => setForm({ ...form, fields: { ...form.fields, tls: v ?? '' } })} allowDeselect={false} />
          </SimpleGrid>
          <SimpleGrid cols={2}>
            {field('from', 'From', { required: true, placeholder: 'alarms@example.com' })}
            {field('subject', 'Default subject', { placeholder: 'Notification from <installation>' })}
            {field('user', 'User', { description: 'Leave empty for a server without login.' })}
            <SecretInput form={form} setForm={setForm} label="Password" />
          </SimpleGrid>
          <Checkbox
            label="Accept any server certificate (insecure)"
            checked={form.fields.insecure === 'true'}
            onChange={(e) => setForm({ ...form, fields: { ...form.fields, insecure: e.currentTarget.checked ? 'true' : '' } })}
          />
        </>
      ) : (
        <>
          {field('url', 'URL', { required: true, placeholder: 'https://hooks.example.com/lynx', description: 'The payload {message, output_config, executor_config, installation, organization, payload} is POSTed here as JSON.' })}
          <SecretInput form={form} setForm={setForm} label="API key" description="Sent as X-API-Key; optional." />
        </>
      )}
      <div>
        <Text size="sm" fw={500} mb={4}>
          Other settings
        </Text>
        <KeyValueEditor label="Executor setting" rows={form.extra} onChange={(extra) => setForm({ ...form, extra })} emptyHint="None. Settings here are readable by everyone who may list executors: keep passwords in the password field." />
      </div>
    </>
  );
}

function SecretInput({ form, setForm, label, description }: { form: ExecutorForm; setForm: (f: ExecutorForm) => void; label: string; description?: string }) {
  return (
    <div>
      <PasswordInput
        label={label}
        description={description ?? (form.hasStoredSecret ? 'Stored; leave empty to keep it.' : undefined)}
        placeholder={form.hasStoredSecret ? '•••••••• (unchanged)' : ''}
        value={form.secret}
        onChange={(e) => setForm({ ...form, secret: e.currentTarget.value, clearSecret: false })}
        disabled={form.clearSecret}
        autoComplete="new-password"
      />
      {form.hasStoredSecret && (
        <Checkbox mt={4} size="xs" label={`Remove the stored ${label.toLowerCase()}`} checked={form.clearSecret} onChange={(e) => setForm({ ...form, clearSecret: e.currentTarget.checked, secret: '' })} />
      )}
    </div>
  );
}

function ExecutorDialog({ organizationId, executor }: { organizationId: number; executor?: NotificationExecutor }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const create = useMutation(trpc.notifications.executors.create.mutationOptions());
  const update = useMutation(trpc.notifications.executors.update.mutationOptions());
  const mutation = executor ? update : create;
  const [form, setForm] = useState<ExecutorForm>(blankExecutorForm);
  const [problem, setProblem] = useState<string | null>(null);
  return (
    <FormDialog
      label={executor ? 'Edit' : 'Create executor'}
      title={executor ? `Edit executor ${executor.name}` : undefined}
      submitLabel={executor ? 'Save' : undefined}
      buttonAriaLabel={executor ? `Edit executor ${executor.name}` : undefined}
      buttonProps={executor ? { variant: 'subtle', size: 'xs', leftSection: <IconPencil size={14} aria-hidden /> } : { variant: 'light', leftSection: <IconPlus size={16} aria-hidden /> }}
      pending={mutation.isPending}
      error={problem ? new Error(problem) : mutation.error}
      onOpen={() => {
        mutation.reset();
        setProblem(null);
        setForm(executor ? executorFormFrom(executor) : blankExecutorForm());
      }}
      onSubmit={async () => {
        mutation.reset();
        const w = executorWrite(form);
        setProblem('error' in w ? w.error : null);
        if ('error' in w) return false;
        try {
          if (executor) await update.mutateAsync({ id: executor.id, organizationId: executor.organization_id, ...w.write });
          else await create.mutateAsync({ organizationId, ...w.write });
          await queryClient.invalidateQueries({ queryKey: trpc.notifications.executors.list.queryKey() });
          return true;
        } catch {
          return false;
        }
      }}
    >
      <ExecutorFields form={form} setForm={setForm} />
    </FormDialog>
  );
}

function DeleteExecutor({ executor }: { executor: NotificationExecutor }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const del = useMutation(trpc.notifications.executors.delete.mutationOptions());
  return (
    <ConfirmButton
      label={<IconTrash size={14} aria-hidden />}
      ariaLabel={`Delete executor ${executor.name}`}
      confirmLabel="Delete"
      buttonProps={{ variant: 'subtle' }}
      title={`Delete ${executor.name}?`}
      message="Outputs that use it can no longer deliver, in every installation of the organization."
      pending={del.isPending}
      error={del.error}
      onConfirm={async () => {
        await del.mutateAsync({ id: executor.id });
        await queryClient.invalidateQueries({ queryKey: trpc.notifications.executors.list.queryKey() });
      }}
    />
  );
}

const summary = (e: NotificationExecutor) =>
  e.type === 'email' ? `${e.config.from ?? ''} via ${e.config.host ?? '?'}${e.config.port ? `:${e.config.port}` : ''}` : (e.config.url ?? '');

export function ExecutorsSection({ executors, organizationId, canAdmin }: { executors: NotificationExecutor[]; organizationId: number | undefined; canAdmin: boolean }) {
  return (
    <section aria-labelledby="executors-title">
      <Title order={3} size="h5" mb="xs" id="executors-title">
        Executors
      </Title>
      <DataTable
        label="Notification executors"
        rows={executors}
        rowKey={(e) => e.id}
        initialSort={{ key: 'name', dir: 'asc' }}
        pageSize={10}
        toolbar={canAdmin && organizationId !== undefined && <ExecutorDialog organizationId={organizationId} />}
        columns={[
          { key: 'name', header: 'Name', value: (e) => e.name, sortable: true, render: (e) => <Text fw={500} size="sm">{e.name}</Text> },
          { key: 'type', header: 'Type', value: (e) => e.type, sortable: true, render: (e) => <Badge variant="light">{e.type}</Badge> },
          { key: 'target', header: 'Delivers to', value: summary, render: (e) => <span className="lynx-mono">{summary(e)}</span> },
          { key: 'secret', header: 'Secret', value: (e) => (e.secret ? 'stored' : 'none'), sortable: true },
          {
            key: 'actions',
            header: 'Actions',
            value: () => '',
            render: (e) =>
              canAdmin && (
                <Group gap={4} wrap="nowrap">
                  <ExecutorDialog organizationId={e.organization_id} executor={e} />
                  <DeleteExecutor executor={e} />
                </Group>
              ),
          },
        ]}
        empty={<Empty title="No executors" hint={canAdmin ? 'Create a webhook or e-mail executor; outputs deliver through it.' : 'Ask an organization administrator to set up a webhook or e-mail executor.'} />}
      />
    </section>
  );
}
