// A destructive action asks once more, naming what goes away.
import { Button, Group, Modal, Stack, Text, type ButtonProps } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import { FormAlert } from './form-dialog.js';

export function ConfirmButton({
  label,
  confirmLabel,
  title,
  message,
  onConfirm,
  pending,
  error,
  buttonProps,
  ariaLabel,
}: {
  label: ReactNode;
  /** Defaults to the button's label when that is text. */
  confirmLabel?: string;
  title: string;
  message: ReactNode;
  onConfirm: () => Promise<unknown>;
  pending?: boolean;
  error?: unknown;
  buttonProps?: ButtonProps;
  ariaLabel?: string;
}) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button color="red" variant="light" size="xs" {...buttonProps} aria-label={ariaLabel} onClick={() => setOpen(true)}>
        {label}
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={title} centered>
        <Stack gap="sm">
          <Text size="sm">{message}</Text>
          <FormAlert error={error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <Button
              color="red"
              loading={pending}
              onClick={() =>
                void onConfirm().then(
                  () => setOpen(false),
                  () => undefined,
                )
              }
            >
              {confirmLabel ?? (typeof label === 'string' ? label : 'Confirm')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
