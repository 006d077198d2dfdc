// Commands a function from the live view: its named states as buttons (On/Off, Open/Closed),
// or a number for dimmers and setpoints. The value goes to the function's `topic_write` as a
// Lynx payload, through the same publish path (and rights) as the MQTT inspector.
import { ActionIcon, Button, Group, NumberInput, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconSend } from '@tabler/icons-react';
import type { FunctionX } from '@lynx/shared';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage, useTRPC } from '../trpc.js';
import { objectName } from './xobjects-tab.js';

/** Named states of a function with their numeric value and display text, in a stable order. */
export function statesOf(meta: Record<string, string>): { name: string; value: number; text: string }[] {
  return Object.entries(meta)
    .filter(([k, v]) => k.startsWith('state_') && v.trim() !== '' && Number.isFinite(Number(v)))
    .map(([k, v]) => {
      const name = k.slice('state_'.length);
      return { name, value: Number(v), text: meta[`text_${name}`] || name };
    })
    .sort((a, b) => b.value - a.value);
}

export function FunctionControl({ installationId, fn }: { installationId: number; fn: FunctionX }) {
  const trpc = useTRPC();
  const publish = useMutation(trpc.data.publish.mutationOptions());
  const [value, setValue] = useState<number | string>('');
  const topic = fn.meta.topic_write?.trim();
  if (!topic) return null;
  const name = objectName(fn, 'function');
  const send = (v: number) =>
    publish.mutate(
      { installationId, topic, payload: JSON.stringify({ value: v, timestamp: Date.now() / 1000 }) },
      {
        onError: (e) => notifications.show({ color: 'red', title: `Could not set ${name}`, message: errorMessage(e) }),
      },
    );
  const states = statesOf(fn.meta);
  if (states.length > 0 && states.length <= 4) {
    return (
      <Group gap={4} wrap="nowrap">
        {states.map((s) => (
          <Button key={s.name} size="compact-xs" variant="default" aria-label={`Set ${name} to ${s.text}`} loading={publish.isPending && publish.variables?.payload.includes(`"value":${s.value},`)} onClick={() => send(s.value)}>
            {s.text}
          </Button>
        ))}
      </Group>
    );
  }
  const min = fn.meta.min !== undefined ? Number(fn.meta.min) : undefined;
  const max = fn.meta.max !== undefined ? Number(fn.meta.max) : undefined;
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (value !== '' && Number.isFinite(Number(value))) send(Number(value));
      }}
    >
      <Group gap={4} wrap="nowrap">
        <NumberInput size="xs" w={90} aria-label={`New value for ${name}`} value={value} onChange={setValue} min={Number.isFinite(min) ? min : undefined} max={Number.isFinite(max) ? max : undefined} hideControls />
        <Tooltip label={`Send to ${topic}`}>
          <ActionIcon type="submit" variant="default" aria-label={`Set ${name}`} loading={publish.isPending}>
            <IconSend size={14} aria-hidden />
          </ActionIcon>
        </Tooltip>
      </Group>
    </form>
  );
}
