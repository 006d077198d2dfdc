// The user's API tokens and login sessions. A new token's secret shows once, with a copy button;
// the server only keeps its hash.
import { Alert, Badge, Button, CopyButton, Group, Modal, Select, Stack, Text, TextInput, Tooltip } from '@mantine/core';
import { IconCheck, IconCopy, IconPlus } from '@tabler/icons-react';
import type { ApiToken } from '@lynx/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmButton } from '../components/confirm-button.js';
import { DataTable, type DataColumn } from '../components/data-table.js';
import { FormDialog } from '../components/form-dialog.js';
import { PageHeader } from '../components/page-header.js';
import { Empty, QueryView } from '../components/states.js';
import { formatTime, timeAgo } from '../lib/time.js';
import { useTRPC } from '../trpc.js';

const expiries = [
  { value: '0', label: 'Never' },
  { value: String(7 * 86_400), label: '7 days' },
  { value: String(30 * 86_400), label: '30 days' },
  { value: String(90 * 86_400), label: '90 days' },
  { value: String(365 * 86_400), label: '1 year' },
];

function ShowOnce({ secret, onClose }: { secret: string | null; onClose: () => void }) {
  return (
    <Modal opened={secret !== null} onClose={onClose} title="Token created" centered size="lg">
      <Stack gap="sm">
        <Alert color="yellow" variant="light">
          Copy the token now. It is shown only this once; if it is lost, create a new one.
        </Alert>
        <Group align="flex-end" gap="xs" wrap="nowrap">
          <TextInput label="New token" value={secret ?? ''} readOnly classNames={{ input: "lynx-mono" }} style={{ flex: 1 }} onFocus={(e) => e.currentTarget.select()} />
          <CopyButton value={secret ?? ''}>
            {({ copied, copy }) => (
              <Button onClick={copy} color={copied ? 'green' : undefined} leftSection={copied ? <IconCheck size={16} aria-hidden /> : <IconCopy size={16} aria-hidden />}>
                {copied ? 'Copied' : 'Copy token'}
              </Button>
            )}
          </CopyButton>
        </Group>
        <Text size="sm" c="dimmed">
          Send it as the <code>X-API-Key</code> header to the REST API, or as the MQTT password.
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Done
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function CreateToken({ onCreated }: { onCreated: (secret: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [expiry, setExpiry] = useState('0');
  const create = useMutation(trpc.tokens.create.mutationOptions());
  return (
    <FormDialog
      label="Create token"
      size="md"
      buttonProps={{ leftSection: <IconPlus size={16} aria-hidden /> }}
      pending={create.isPending}
      error={create.error}
      onOpen={() => {
        create.reset();
        setName('');
        setExpiry('0');
      }}
      onSubmit={async () => {
        try {
          const seconds = Number(expiry);
          const created = await create.mutateAsync({ name: name.trim(), expire: seconds ? Math.floor(Date.now() / 1000) + seconds : 0 });
          await queryClient.invalidateQueries({ queryKey: trpc.tokens.list.queryKey() });
          onCreated(created.token);
          return true;
        } catch {
          return false;
        }
      }}
    >
      <TextInput label="Name" description="What uses it, e.g. “BMS integration”" withAsterisk value={name} onChange={(e) => setName(e.currentTarget.value)} data-autofocus />
      <Select label="Expires" data={expiries} value={expiry} onChange={(v) => setExpiry(v ?? '0')} allowDeselect={false} />
      <Text size="sm" c="dimmed">
        The token acts with your permissions.
      </Text>
    </FormDialog>
  );
}

export function TokensScreen() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const tokens = useQuery(trpc.tokens.list.queryOptions());
  const revoke = useMutation(trpc.tokens.revoke.mutationOptions());
  const [secret, setSecret] = useState<string | null>(null);
  const [kind, setKind] = useState<string | null>('api');
  const columns: DataColumn<ApiToken>[] = [
    {
      key: 'name',
      header: 'Name',
      value: (t) => t.name || (t.type === 'login' ? t.agent : ''),
      sortable: true,
      render: (t) => (
        <Group gap="xs">
          <Text size="sm" fw={500}>
            {t.name || (t.type === 'login' ? t.agent || 'Login session' : `Token ${t.id}`)}
          </Text>
          {t.current && (
            <Badge size="xs" variant="light">
              this session
            </Badge>
          )}
        </Group>
      ),
    },
    { key: 'type', header: 'Kind', value: (t) => (t.type === 'login' ? 'session' : 'API key'), sortable: true },
    { key: 'created', header: 'Created', value: (t) => t.created, sortable: true, render: (t) => formatTime(t.created) },
    { key: 'expire', header: 'Expires', value: (t) => t.expire || Number.MAX_SAFE_INTEGER, sortable: true, render: (t) => (t.expire ? formatTime(t.expire) : 'never') },
    {
      key: 'last_used',
      header: 'Last used',
      value: (t) => t.last_used,
      sortable: true,
      render: (t) => (
        <Tooltip label={formatTime(t.last_used)} disabled={!t.last_used}>
          <Text size="sm">{timeAgo(t.last_used)}</Text>
        </Tooltip>
      ),
    },
    {
      key: 'actions',
      header: 'Actions',
      value: () => '',
      render: (t) =>
        !t.current && (
          <ConfirmButton
            label="Revoke"
            ariaLabel={`Revoke ${t.name || `token ${t.id}`}`}
            confirmLabel="Confirm"
            title={`Revoke ${t.name || 'this token'}?`}
            message="Anything using it is refused from now on, over REST and MQTT."
            pending={revoke.isPending}
            error={revoke.error}
            onConfirm={async () => {
              await revoke.mutateAsync({ id: t.id });
              await queryClient.invalidateQueries({ queryKey: trpc.tokens.list.queryKey() });
            }}
          />
        ),
    },
  ];
  return (
    <>
      <PageHeader title="API tokens" description="Keys for scripts and integrations, and your signed-in sessions." actions={<CreateToken onCreated={setSecret} />} />
      <ShowOnce secret={secret} onClose={() => setSecret(null)} />
      <QueryView query={tokens} what="tokens">
        {(rows) => {
          const shown = kind ? rows.filter((t) => (kind === 'api' ? t.type !== 'login' : t.type === 'login')) : rows;
          return (
            <DataTable
              label="Tokens"
              rows={shown}
              columns={columns}
              rowKey={(t) => t.id}
              initialSort={{ key: 'created', dir: 'desc' }}
              toolbar={
                <Select
                  label="Show"
                  data={[
                    { value: 'api', label: 'API keys' },
                    { value: 'login', label: 'Sessions' },
                  ]}
                  value={kind}
                  onChange={setKind}
                  clearable
                  placeholder="All"
                  w={160}
                />
              }
              empty={<Empty title={kind === 'login' ? 'No sessions' : 'No API tokens yet'} hint="Create a token with “Create token” to call the REST API from a script." />}
            />
          );
        }}
      </QueryView>
    </>
  );
}
