// Timed publications of one value on one topic (CRON fields), run by the server or the gateway.
// The fields are read back in words, in the form and in the table, so a wrong field shows at once.
import { Badge, Group, Select, SimpleGrid, Stack, Switch, Text, TextInput } from '@mantine/core';
import { IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import type { Schedule } from '@lynx/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmButton } from '../components/confirm-button.js';
import { DataTable, type DataColumn } from '../components/data-table.js';
import { FormDialog } from '../components/form-dialog.js';
import { Empty, QueryView } from '../components/states.js';
import { describeCron } from '../lib/cron-summary.js';
import { usePermissions } from '../session/use-permissions.js';
import { useTRPC } from '../trpc.js';

interface ScheduleForm {
  executor: string;
  minute: string;
  hour: string;
  day_of_month: string;
  month: string;
  day_of_week: string;
  topic: string;
  value: string;
  active: boolean;
}

const blank: ScheduleForm = { executor: 'server', minute: '0', hour: '*', day_of_month: '*', month: '*', day_of_week: '*', topic: '', value: '', active: true };

const formOf = (s: Schedule): ScheduleForm => ({
  executor: s.executor,
  minute: s.minute,
  hour: s.hour,
  day_of_month: s.day_of_month,
  month: s.month,
  day_of_week: s.day_of_week,
  topic: s.topic,
  value: String(s.value),
  active: s.active,
});

const cronText = (f: Pick<ScheduleForm, 'minute' | 'hour' | 'day_of_month' | 'month' | 'day_of_week'>) => `${f.minute} ${f.hour} ${f.day_of_month} ${f.month} ${f.day_of_week}`;

/** Checks what the server would refuse anyway, so the message appears before the round trip. */
function formProblem(f: ScheduleForm): string | null {
  if (f.topic.trim() === '') return 'invalid topic: must not be empty';
  if (f.value.trim() === '' || !Number.isFinite(Number(f.value))) return 'invalid value: must be a number';
  return null;
}

function ScheduleFields({ form, setForm }: { form: ScheduleForm; setForm: (f: ScheduleForm) => void }) {
  const text = (key: keyof Omit<ScheduleForm, 'active'>, label: string, description?: string) => (
    <TextInput label={label} description={description} value={form[key]} onChange={(e) => setForm({ ...form, [key]: e.currentTarget.value })} required={key === 'topic' || key === 'value'} />
  );
  const summary = describeCron(form);
  const executors = ['server', 'edge_client', ...(['server', 'edge_client'].includes(form.executor) ? [] : [form.executor])];
  return (
    <>
      <SimpleGrid cols={2}>
        {text('topic', 'Topic', 'Without the client id, e.g. set/obj/lamp')}
        {text('value', 'Value', 'The number published')}
      </SimpleGrid>
      <SimpleGrid cols={5}>
        {text('minute', 'Minute', '0–59')}
        {text('hour', 'Hour', '0–23')}
        {text('day_of_month', 'Day of month', '1–31')}
        {text('month', 'Month', '1–12')}
        {text('day_of_week', 'Day of week', '0–6, 0 = Sun')}
      </SimpleGrid>
      <Text size="sm" c={summary ? undefined : 'red.8'} aria-live="polite">
        {summary ? `Runs: ${summary}.` : 'These fields are not valid CRON: use numbers, *, ranges (1-5), lists (1,3) and steps (*/15).'}
      </Text>
      <Select
        label="Executor"
        description="server runs it here; edge_client on the gateway, also while it is offline"
        data={executors}
        value={form.executor}
        onChange={(v) => setForm({ ...form, executor: v ?? 'server' })}
        allowDeselect={false}
      />
      <Switch label="Active" checked={form.active} onChange={(e) => setForm({ ...form, active: e.currentTarget.checked })} />
    </>
  );
}

function ScheduleDialog({ installationId, schedule }: { installationId: number; schedule?: Schedule }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<ScheduleForm>(blank);
  const [problem, setProblem] = useState<string | null>(null);
  const create = useMutation(trpc.schedules.create.mutationOptions());
  const update = useMutation(trpc.schedules.update.mutationOptions());
  const mutation = schedule ? update : create;
  return (
    <FormDialog
      label={schedule ? 'Edit' : 'Create schedule'}
      title={schedule ? `Edit schedule on ${schedule.topic}` : undefined}
      submitLabel={schedule ? 'Save' : undefined}
      buttonAriaLabel={schedule ? `Edit schedule ${schedule.id}` : undefined}
      buttonProps={schedule ? { variant: 'subtle', size: 'xs', leftSection: <IconPencil size={14} aria-hidden /> } : { leftSection: <IconPlus size={16} aria-hidden /> }}
      pending={mutation.isPending}
      error={problem ? new Error(problem) : mutation.error}
      onOpen={() => {
        mutation.reset();
        setProblem(null);
        setForm(schedule ? formOf(schedule) : blank);
      }}
      onSubmit={async () => {
        mutation.reset();
        const p = formProblem(form);
        setProblem(p);
        if (p) return false;
        const data = { ...form, topic: form.topic.trim(), value: form.value.trim() };
        try {
          if (schedule) await update.mutateAsync({ installationId, id: schedule.id, data });
          else await create.mutateAsync({ installationId, data });
          await queryClient.invalidateQueries({ queryKey: trpc.schedules.list.queryKey() });
          return true;
        } catch {
          return false;
        }
      }}
    >
      <ScheduleFields form={form} setForm={setForm} />
    </FormDialog>
  );
}

function DeleteSchedule({ installationId, schedule: s }: { installationId: number; schedule: Schedule }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const del = useMutation(trpc.schedules.delete.mutationOptions());
  return (
    <ConfirmButton
      label={<IconTrash size={14} aria-hidden />}
      ariaLabel={`Delete schedule ${s.id}`}
      confirmLabel="Delete"
      buttonProps={{ variant: 'subtle' }}
      title="Delete this schedule?"
      message={`It will stop publishing ${s.value} on ${s.topic}.`}
      pending={del.isPending}
      error={del.error}
      onConfirm={async () => {
        await del.mutateAsync({ installationId, id: s.id });
        await queryClient.invalidateQueries({ queryKey: trpc.schedules.list.queryKey() });
      }}
    />
  );
}

export function SchedulesTab({ installationId }: { installationId: number }) {
  const trpc = useTRPC();
  const p = usePermissions();
  const list = useQuery(trpc.schedules.list.queryOptions({ installationId }));
  const canCreate = p.any('schedule/create_delete');
  const canUpdate = p.any('schedule/update');
  const columns: DataColumn<Schedule>[] = [
    { key: 'topic', header: 'Topic', value: (s) => s.topic, sortable: true, render: (s) => <span className="lynx-mono">{s.topic}</span> },
    { key: 'value', header: 'Value', value: (s) => s.value, sortable: true, align: 'right' },
    {
      key: 'when',
      header: 'When',
      value: (s) => `${describeCron(s) ?? ''} ${cronText(s)}`,
      render: (s) => (
        <Stack gap={0}>
          <Text size="sm">{describeCron(s) ?? 'Custom schedule'}</Text>
          <Text size="xs" c="dimmed" className="lynx-mono">
            {cronText(s)}
          </Text>
        </Stack>
      ),
    },
    { key: 'executor', header: 'Executor', value: (s) => s.executor, sortable: true },
    { key: 'active', header: 'State', value: (s) => (s.active ? 'active' : 'paused'), sortable: true, render: (s) => <Badge color={s.active ? 'green.9' : 'gray.7'} c="dark.7" variant="outline">{s.active ? 'active' : 'paused'}</Badge> },
    {
      key: 'actions',
      header: 'Actions',
      value: () => '',
      render: (s) => (
        <Group gap={4} wrap="nowrap">
          {canUpdate && <ScheduleDialog installationId={installationId} schedule={s} />}
          {canCreate && <DeleteSchedule installationId={installationId} schedule={s} />}
        </Group>
      ),
    },
  ];
  return (
    <QueryView query={list} what="schedules">
      {(rows) => (
        <DataTable
          label="Schedules"
          rows={rows}
          columns={columns}
          rowKey={(s) => s.id}
          toolbar={canCreate && <ScheduleDialog installationId={installationId} />}
          empty={<Empty title="No schedules" hint={canCreate ? 'Create one to publish a value at set times, e.g. switch lights off at 22:00.' : 'Nothing is scheduled on this installation.'} />}
        />
      )}
    </QueryView>
  );
}
