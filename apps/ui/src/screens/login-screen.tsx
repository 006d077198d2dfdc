// Sign in, then whatever the server asks next: the two-factor code, enrolling an authenticator
// first, or changing a password that must change. Each step shows the server's message on failure.
import { Alert, Anchor, Box, Button, Center, Code, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { IconAlertCircle, IconInfoCircle } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent, type ReactNode } from 'react';
import { RestError, restAuth } from '../session/rest-auth.js';
import { useSession } from '../session/session-context.js';
import { errorMessage, useTRPC } from '../trpc.js';

function Frame({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Center mih="100vh" bg="var(--mantine-color-gray-0)" component="main">
      <Paper withBorder shadow="sm" p="xl" w={400} radius="md">
        <Stack gap="md">
          <Box>
            <Text size="sm" c="dimmed">
              Lynx on-premise
            </Text>
            <Title order={1} size="h2">
              {title}
            </Title>
          </Box>
          {children}
        </Stack>
      </Paper>
    </Center>
  );
}

/** The server's words, except its bare "Unauthorized", which a person reads better as what went wrong. */
function Failure({ error, unauthorized }: { error: unknown; unauthorized?: string }) {
  if (!error) return null;
  const bare = error instanceof RestError && error.status === 401 && /^unauthori[sz]ed$/i.test(error.message);
  return (
    <Alert color="red" variant="light" icon={<IconAlertCircle aria-hidden />} role="alert">
      {bare && unauthorized ? unauthorized : errorMessage(error)}
    </Alert>
  );
}

function CredentialsStep({ notice }: { notice?: string }) {
  const { dispatch } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const login = useMutation({ mutationFn: () => restAuth.login(email.trim(), password), onSuccess: (answer) => dispatch({ type: 'answered', answer }) });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    login.mutate();
  };
  return (
    <Frame title="Sign in">
      {notice && !login.error && (
        <Alert color="yellow" variant="light" icon={<IconInfoCircle aria-hidden />} role="status">
          {notice}
        </Alert>
      )}
      <form onSubmit={submit}>
        <Stack gap="sm">
          <TextInput label="Email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} data-autofocus autoFocus />
          <PasswordInput label="Password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} />
          <Failure error={login.error} unauthorized="Wrong email or password. Check both and try again." />
          <Button type="submit" loading={login.isPending} fullWidth>
            Sign in
          </Button>
        </Stack>
      </form>
    </Frame>
  );
}

function TwoFactorStep({ pendingToken }: { pendingToken: string }) {
  const { dispatch } = useSession();
  const [code, setCode] = useState('');
  const verify = useMutation({
    mutationFn: () => restAuth.secondFactor(pendingToken, code.trim()),
    onSuccess: (answer) => dispatch({ type: 'answered', answer }),
  });
  return (
    <Frame title="Two-factor authentication">
      <Text size="sm">Enter the 6-digit code from your authenticator app, or one of your recovery codes.</Text>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          verify.mutate();
        }}
      >
        <Stack gap="sm">
          <TextInput label="Authentication code" autoComplete="one-time-code" inputMode="text" required value={code} onChange={(e) => setCode(e.currentTarget.value)} autoFocus />
          <Failure error={verify.error} unauthorized="That code was not accepted. Enter the current code from your app." />
          <Button type="submit" loading={verify.isPending} fullWidth>
            Verify
          </Button>
          <Anchor component="button" type="button" size="sm" onClick={() => dispatch({ type: 'restart' })}>
            Sign in as someone else
          </Anchor>
        </Stack>
      </form>
    </Frame>
  );
}

function EnrolStep({ pendingToken }: { pendingToken: string }) {
  const { dispatch } = useSession();
  const [code, setCode] = useState('');
  const enrol = useMutation({ mutationFn: () => restAuth.enrolTotp(pendingToken) });
  const confirm = useMutation({ mutationFn: () => restAuth.confirmTotp(pendingToken, code.trim()), onSuccess: () => dispatch({ type: 'enrolled' }) });
  return (
    <Frame title="Set up two-factor authentication">
      <Text size="sm">Your organization requires a second factor. Add this account to an authenticator app, then enter the code it shows.</Text>
      {!enrol.data ? (
        <>
          <Failure error={enrol.error} />
          <Button onClick={() => enrol.mutate()} loading={enrol.isPending}>
            Start setup
          </Button>
        </>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            confirm.mutate();
          }}
        >
          <Stack gap="sm">
            <Text size="sm">Secret key (enter it in the app, or open the link on this device):</Text>
            <Code block>{enrol.data.secret}</Code>
            <Anchor href={enrol.data.otpauth_uri} size="sm">
              Open in authenticator app
            </Anchor>
            <Text size="sm">Recovery codes — store them safely, each works once:</Text>
            <Code block>{enrol.data.recovery_codes.join('\n')}</Code>
            <TextInput label="Authentication code" autoComplete="one-time-code" required value={code} onChange={(e) => setCode(e.currentTarget.value)} />
            <Failure error={confirm.error} />
            <Button type="submit" loading={confirm.isPending}>
              Confirm
            </Button>
          </Stack>
        </form>
      )}
    </Frame>
  );
}

function ChangePasswordStep() {
  const { dispatch, signOut } = useSession();
  const trpc = useTRPC();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const change = useMutation(trpc.changeOwnPassword.mutationOptions({ onSuccess: () => dispatch({ type: 'password-changed' }) }));
  const mismatch = repeat !== '' && repeat !== next;
  return (
    <Frame title="Choose a new password">
      <Text size="sm">Your password must be changed before you continue.</Text>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!mismatch) change.mutate({ current_password: current, new_password: next });
        }}
      >
        <Stack gap="sm">
          <PasswordInput label="Current password" autoComplete="current-password" required value={current} onChange={(e) => setCurrent(e.currentTarget.value)} autoFocus />
          <PasswordInput label="New password" autoComplete="new-password" required value={next} onChange={(e) => setNext(e.currentTarget.value)} />
          <PasswordInput
            label="Repeat new password"
            autoComplete="new-password"
            required
            value={repeat}
            onChange={(e) => setRepeat(e.currentTarget.value)}
            error={mismatch ? 'The two new passwords differ' : undefined}
          />
          <Failure error={change.error} />
          <Button type="submit" loading={change.isPending} disabled={mismatch}>
            Change password
          </Button>
          <Anchor component="button" type="button" size="sm" onClick={() => void signOut()}>
            Sign out
          </Anchor>
        </Stack>
      </form>
    </Frame>
  );
}

export function LoginScreen() {
  const { state } = useSession();
  switch (state.step) {
    case 'two-factor':
      return <TwoFactorStep pendingToken={state.pendingToken} />;
    case 'enrol-two-factor':
      return <EnrolStep pendingToken={state.pendingToken} />;
    case 'change-password':
      return <ChangePasswordStep />;
    default:
      return <CredentialsStep notice={state.step === 'credentials' ? state.notice : undefined} />;
  }
}
