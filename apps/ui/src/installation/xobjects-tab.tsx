// Devices or functions of an installation: a searchable table with a type filter, and create,
// edit and delete dialogs that show the server's validation message.
import { Badge, Group, Select, Text } from '@mantine/core';
import { IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import type { DeviceX } from '@lynx/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmButton } from '../components/confirm-button.js';
import { DataTable, type DataColumn } from '../components/data-table.js';
import { FormDialog } from '../components/form-dialog.js';
import { Empty, QueryView } from '../components/states.js';
import { formatTime } from '../lib/time.js';
import { usePermissions } from '../session/use-permissions.js';
import { useTRPC } from '../trpc.js';
import { emptyForm, formFromObject, formToWrite, XObjectForm, type XForm, type XKind } from './xobject-form.js';

export function objectName(o: { id: number; meta: Record<string, string> }, kind: XKind): string {
  return o.meta.name?.trim() || `${kind === 'device' ? 'Device' : 'Function'} ${o.id}`;
}

function useXApi(kind: XKind) {
  const trpc = useTRPC();
  // Both routers have the same procedures and shapes; pick one by kind.
  return kind === 'device' ? trpc.devices : trpc.functions;
}

function useRights(kind: XKind) {
  const p = usePermissions();
  const base = kind === 'device' ? 'devicex' : 'functionx';
  return {
    createDelete: p.any(`${base}/create_delete`),
    update: p.any(`${base}/update`),
    viewProtected: p.any(`${base}/view/protected_meta`),
    editProtected: p.any(`${base}/edit/protected_meta`),
  };
}

function EditDialog({ kind, installationId, object, devices }: { kind: XKind; installationId: number; object: DeviceX; devices: { id: number; name: string }[] }) {
  const api = useXApi(kind);
  const rights = useRights(kind);
  const queryClient = useQueryClient();
  const [form, setForm] = useState<XForm>(() => formFromObject(kind, object));
  const update = useMutation(api.update.mutationOptions());
  const name = objectName(object, kind);
  return (
    <FormDialog
      label="Edit"
      title={`Edit ${name}`}
      submitLabel="Save"
      buttonProps={{ variant: 'subtle', size: 'xs', leftSection: <IconPencil size={14} aria-hidden /> }}
      buttonAriaLabel={`Edit ${name}`}
      pending={update.isPending}
      error={update.error}
      onOpen={() => {
        update.reset();
        setForm(formFromObject(kind, object));
      }}
      onSubmit={async () => {
        try {
          await update.mutateAsync({ installationId, id: object.id, data: formToWrite(form, rights.editProtected) });
          await queryClient.invalidateQueries({ queryKey: api.list.queryKey() });
          return true;
        } catch {
          return false;
        }
      }}
    >
      <XObjectForm kind={kind} form={form} onChange={setForm} devices={devices} canViewProtected={rights.viewProtected} canEditProtected={rights.editProtected} />
    </FormDialog>
  );
}

function CreateDialog({ kind, installationId, devices }: { kind: XKind; installationId: number; devices: { id: number; name: string }[] }) {
  const api = useXApi(kind);
  const rights = useRights(kind);
  const queryClient = useQueryClient();
  const [form, setForm] = useState<XForm>(emptyForm);
  const create = useMutation(api.create.mutationOptions());
  return (
    <FormDialog
      label={kind === 'device' ? 'Create device' : 'Create function'}
      buttonProps={{ leftSection: <IconPlus size={16} aria-hidden /> }}
      pending={create.isPending}
      error={create.error}
      onOpen={() => {
        create.reset();
        setForm(emptyForm());
      }}
      onSubmit={async () => {
        try {
          await create.mutateAsync({ installationId, data: formToWrite(form, rights.editProtected) });
          await queryClient.invalidateQueries({ queryKey: api.list.queryKey() });
          return true;
        } catch {
          return false;
        }
      }}
    >
      <XObjectForm kind={kind} form={form} onChange={setForm} devices={devices} canViewProtected={rights.viewProtected} canEditProtected={rights.editProtected} />
    </FormDialog>
  );
}

function DeleteButton({ kind, installationId, object }: { kind: XKind; installationId: number; object: DeviceX }) {
  const api = useXApi(kind);
  const queryClient = useQueryClient();
  const del = useMutation(api.delete.mutationOptions());
  const name = objectName(object, kind);
  return (
    <ConfirmButton
      label={<IconTrash size={14} aria-hidden />}
      ariaLabel={`Delete ${name}`}
      confirmLabel="Delete"
      buttonProps={{ variant: 'subtle', size: 'xs' }}
      title={`Delete ${name}?`}
      message={`${name} is removed from the installation. Stored values stay in the history.`}
      pending={del.isPending}
      error={del.error}
      onConfirm={async () => {
        await del.mutateAsync({ installationId, id: object.id });
        await queryClient.invalidateQueries({ queryKey: api.list.queryKey() });
      }}
    />
  );
}

export function XObjectsTab({ kind, installationId }: { kind: XKind; installationId: number }) {
  const trpc = useTRPC();
  const api = useXApi(kind);
  const rights = useRights(kind);
  const list = useQuery(api.list.queryOptions({ installationId, filters: {} }));
  // Functions link to devices: names for the column and choices for the form.
  const deviceList = useQuery(trpc.devices.list.queryOptions({ installationId, filters: {} }));
  const devices = (deviceList.data ?? []).map((d) => ({ id: d.id, name: objectName(d, 'device') }));
  const deviceName = (id: string | undefined) => (id ? (devices.find((d) => String(d.id) === id)?.name ?? `#${id}`) : '');
  const [type, setType] = useState<string | null>(null);
  const label = kind === 'device' ? 'Devices' : 'Functions';

  const columns: DataColumn<DeviceX>[] = [
    { key: 'name', header: 'Name', value: (o) => objectName(o, kind), sortable: true, render: (o) => <Text fw={500}>{objectName(o, kind)}</Text> },
    { key: 'type', header: 'Type', value: (o) => o.type, sortable: true, render: (o) => (o.type ? <Badge variant="light">{o.type}</Badge> : '—') },
    ...(kind === 'function'
      ? [
          { key: 'topic', header: 'Read topic', value: (o: DeviceX) => o.meta.topic_read ?? '', sortable: true, render: (o: DeviceX) => <span className="lynx-mono">{o.meta.topic_read ?? ''}</span> },
          { key: 'device', header: 'Device', value: (o: DeviceX) => deviceName(o.meta.device_id), sortable: true },
        ]
      : [{ key: 'functions', header: 'ID', value: (o: DeviceX) => o.id, sortable: true, align: 'right' as const }]),
    { key: 'updated', header: 'Updated', value: (o) => o.updated, sortable: true, render: (o) => formatTime(o.updated) },
    {
      key: 'actions',
      header: 'Actions',
      value: () => '',
      render: (o) => (
        <Group gap={4} wrap="nowrap">
          {rights.update && <EditDialog kind={kind} installationId={installationId} object={o} devices={devices} />}
          {rights.createDelete && <DeleteButton kind={kind} installationId={installationId} object={o} />}
        </Group>
      ),
    },
  ];

  return (
    <QueryView query={list} what={label.toLowerCase()}>
      {(rows) => {
        const types = [...new Set(rows.map((r) => r.type))].sort();
        const shown = type ? rows.filter((r) => r.type === type) : rows;
        return (
          <DataTable
            label={label}
            rows={shown}
            columns={columns}
            rowKey={(o) => o.id}
            initialSort={{ key: 'name', dir: 'asc' }}
            toolbar={
              <>
                <Select label="Only show" placeholder="All types" data={types} value={type} onChange={setType} clearable w={180} />
                {rights.createDelete && <CreateDialog kind={kind} installationId={installationId} devices={devices} />}
              </>
            }
            empty={
              type && rows.length > 0 ? (
                <Empty title={`No ${label.toLowerCase()} of type ${type}`} hint="Clear the type filter to see all." />
              ) : (
                <Empty
                  title={`No ${label.toLowerCase()} yet`}
                  hint={
                    rights.createDelete
                      ? `Create one with “Create ${kind}”${kind === 'function' ? ', or let a gateway or edge app add them.' : '.'}`
                      : 'Gateways and edge apps add them, or ask an administrator.'
                  }
                />
              )
            }
          />
        );
      }}
    </QueryView>
  );
}
