// The signed-in user's own security: password and two-factor.
import { Alert, Badge, Button, Code, Group, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { FormAlert } from '../components/form-dialog.js';
import { PageHeader } from '../components/page-header.js';
import { QueryView } from '../components/states.js';
import { useTRPC } from '../trpc.js';

function PasswordForm() {
  const trpc = useTRPC();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const change = useMutation(trpc.changeOwnPassword.mutationOptions());
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="pw-title">
      <Title order={3} size="h5" mb="sm" id="pw-title">
        Password
      </Title>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          change.mutate(
            { current_password: current, new_password: next },
            {
              onSuccess: () => {
                setCurrent('');
                setNext('');
                notifications.show({ color: 'green', message: 'Password changed' });
              },
            },
          );
        }}
      >
        <Stack gap="sm" maw={400}>
          <PasswordInput label="Current password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.currentTarget.value)} />
          <PasswordInput label="New password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.currentTarget.value)} />
          <FormAlert error={change.error} />
          <Group>
            <Button type="submit" loading={change.isPending}>
              Change password
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

function TwoFactor() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const status = useQuery(trpc.auth.totpStatus.queryOptions());
  const enrol = useMutation(trpc.auth.totpEnroll.mutationOptions());
  const confirm = useMutation(trpc.auth.totpConfirm.mutationOptions());
  const disable = useMutation(trpc.auth.totpDisable.mutationOptions());
  const [code, setCode] = useState('');
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.auth.totpStatus.queryKey() });
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="tf-title">
      <Title order={3} size="h5" mb="sm" id="tf-title">
        Two-factor authentication
      </Title>
      <QueryView query={status} what="two-factor state">
        {(s) => (
          <Stack gap="sm" maw={520}>
            <Group gap="xs">
              <Text size="sm">State:</Text>
              <Badge color={s.enabled ? 'green' : 'gray'} variant="light">
                {s.enabled ? 'on' : 'off'}
              </Badge>
              {s.enabled && <Text size="sm" c="dimmed">{`${s.recovery_codes_left} recovery codes left`}</Text>}
            </Group>
            {!s.enabled && !enrol.data && (
              <Group>
                <Button onClick={() => enrol.mutate()} loading={enrol.isPending}>
                  Set up two-factor
                </Button>
              </Group>
            )}
            {!s.enabled && enrol.data && (
              <form
                onSubmit={(e) => {
                  e.preventDefault();
                  confirm.mutate({ code: code.trim() }, { onSuccess: () => void refresh().then(() => enrol.reset()) });
                }}
              >
                <Stack gap="xs">
                  <Text size="sm">Add this secret to your authenticator app:</Text>
                  <Code block>{enrol.data.secret}</Code>
                  <Text size="sm">Recovery codes (each works once):</Text>
                  <Code block>{enrol.data.recovery_codes.join('\n')}</Code>
                  <TextInput label="Authentication code" value={code} onChange={(e) => setCode(e.currentTarget.value)} autoComplete="one-time-code" />
                  <FormAlert error={confirm.error} />
                  <Group>
                    <Button type="submit" loading={confirm.isPending}>
                      Turn on
                    </Button>
                  </Group>
                </Stack>
              </form>
            )}
            {s.enabled && (
              <form
                onSubmit={(e) => {
                  e.preventDefault();
                  disable.mutate({ code: code.trim() }, { onSuccess: () => void refresh() });
                }}
              >
                <Stack gap="xs">
                  <Alert variant="light">To turn two-factor off, confirm with a current code.</Alert>
                  <TextInput label="Authentication code" value={code} onChange={(e) => setCode(e.currentTarget.value)} autoComplete="one-time-code" />
                  <FormAlert error={disable.error} />
                  <Group>
                    <Button type="submit" color="red" variant="light" loading={disable.isPending}>
                      Turn off
                    </Button>
                  </Group>
                </Stack>
              </form>
            )}
            <FormAlert error={enrol.error} />
          </Stack>
        )}
      </QueryView>
    </Paper>
  );
}

export function AccountScreen() {
  return (
    <>
      <PageHeader title="Account and security" />
      <Stack gap="lg">
        <PasswordForm />
        <TwoFactor />
      </Stack>
    </>
  );
}
