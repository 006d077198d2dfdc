// Name, notes and meta of the installation, and deleting it.
import { Button, Group, Paper, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { Installation } from '@lynx/shared';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { ConfirmButton } from '../components/confirm-button.js';
import { FormAlert } from '../components/form-dialog.js';
import { MetaEditor, metaRows, rowsToMeta } from '../components/meta-editor.js';
import { usePermissions } from '../session/use-permissions.js';
import { useTRPC } from '../trpc.js';

export function SettingsTab({ installation }: { installation: Installation }) {
  const trpc = useTRPC();
  const p = usePermissions();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [name, setName] = useState(installation.name);
  const [notes, setNotes] = useState(installation.notes);
  const [rows, setRows] = useState(() => metaRows(installation.meta, installation.protected_meta));
  const update = useMutation(trpc.installations.update.mutationOptions());
  const del = useMutation(trpc.installations.delete.mutationOptions());
  const canUpdate = p.any('installation/update');
  const canEditProtected = p.any('installation/edit/protected_meta');
  const canViewProtected = p.any('installation/view/protected_meta');
  const canDelete = p.any('installation/delete');

  return (
    <Stack gap="lg" maw={900}>
      <Paper withBorder p="md" component="section" aria-labelledby="settings-title">
        <Title order={3} size="h5" mb="sm" id="settings-title">
          Installation details
        </Title>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const meta = rowsToMeta(rows);
            update.mutate(
              { id: installation.id, data: { name, notes, meta: meta.meta, ...(canEditProtected ? { protected_meta: meta.protected_meta } : {}) } },
              {
                onSuccess: async () => {
                  notifications.show({ color: 'green', message: 'Installation saved' });
                  await queryClient.invalidateQueries({ queryKey: trpc.installations.get.queryKey({ id: installation.id }) });
                  await queryClient.invalidateQueries({ queryKey: trpc.installations.list.queryKey() });
                },
              },
            );
          }}
        >
          <Stack gap="sm">
            <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} readOnly={!canUpdate} />
            <Textarea label="Notes" value={notes} onChange={(e) => setNotes(e.currentTarget.value)} readOnly={!canUpdate} autosize minRows={2} />
            <Text size="sm" fw={500}>
              Meta
            </Text>
            <MetaEditor rows={rows} onChange={setRows} canViewProtected={canViewProtected} canEditProtected={canEditProtected} readOnly={!canUpdate} />
            <FormAlert error={update.error} />
            {canUpdate && (
              <Group>
                <Button type="submit" loading={update.isPending}>
                  Save changes
                </Button>
              </Group>
            )}
          </Stack>
        </form>
      </Paper>
      {canDelete && (
        <Paper withBorder p="md" component="section" aria-labelledby="danger-title">
          <Title order={3} size="h5" mb="xs" id="danger-title" c="red.9">
            Delete installation
          </Title>
          <Text size="sm" mb="sm">
            Deletes the installation with its devices, functions and settings. Gateways of it can no longer connect.
          </Text>
          <ConfirmButton
            label="Delete installation"
            title={`Delete ${installation.name}?`}
            message="This cannot be undone."
            pending={del.isPending}
            error={del.error}
            buttonProps={{ size: 'sm' }}
            onConfirm={async () => {
              await del.mutateAsync({ id: installation.id });
              await queryClient.invalidateQueries({ queryKey: trpc.installations.list.queryKey() });
              void navigate('/installations');
            }}
          />
        </Paper>
      )}
    </Stack>
  );
}
