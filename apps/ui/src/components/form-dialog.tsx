// A button that opens a form in a dialog. The dialog's submit button carries the same label as the
// opener, and the opener hides while the dialog is open, so there is one "Create device" button
// at any time; the server's validation message shows inside the dialog.
import { Alert, Button, Group, Modal, Stack, type ButtonProps } from '@mantine/core';
import { IconAlertCircle } from '@tabler/icons-react';
import { useState, type FormEvent, type ReactNode } from 'react';
import { errorMessage } from '../trpc.js';

export function FormAlert({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <Alert color="red" variant="light" icon={<IconAlertCircle aria-hidden />} role="alert">
      {errorMessage(error)}
    </Alert>
  );
}

export function FormDialog({
  label,
  title,
  submitLabel,
  children,
  onSubmit,
  onOpen,
  pending,
  error,
  buttonProps,
  buttonAriaLabel,
  size = 'lg',
}: {
  label: string;
  title?: string;
  submitLabel?: string;
  children: ReactNode | ((close: () => void) => ReactNode);
  /** Resolves true when done: the dialog then closes. */
  onSubmit: () => Promise<boolean> | boolean;
  onOpen?: () => void;
  pending?: boolean;
  error?: unknown;
  buttonProps?: ButtonProps & { leftSection?: ReactNode };
  buttonAriaLabel?: string;
  size?: string;
}) {
  const [open, setOpen] = useState(false);
  const close = () => setOpen(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await onSubmit()) close();
  };
  return (
    <>
      <Button
        {...buttonProps}
        aria-label={buttonAriaLabel}
        onClick={() => {
          onOpen?.();
          setOpen(true);
        }}
        style={open ? { visibility: 'hidden' } : undefined}
      >
        {label}
      </Button>
      <Modal opened={open} onClose={close} title={title ?? label} size={size} centered>
        <form onSubmit={(e) => void submit(e)} noValidate>
          <Stack gap="sm">
            {typeof children === 'function' ? children(close) : children}
            <FormAlert error={error} />
            <Group justify="flex-end" mt="xs">
              <Button variant="default" onClick={close} type="button">
                Cancel
              </Button>
              <Button type="submit" loading={pending}>
                {submitLabel ?? label}
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}
