// Draws the fields of an app.json (see app-json-form.ts): selectors list the installation's
// functions, devices and notification outputs, filtered by the types the app asks for.
import { MultiSelect, Select, Stack, Switch, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Fragment } from 'react';
import { useTRPC } from '../trpc.js';
import type { AppField, FieldValue } from './app-json-form.js';
import { objectName } from './xobjects-tab.js';

interface Option {
  value: string;
  label: string;
}

function useChoices(installationId: number, fields: AppField[]) {
  const trpc = useTRPC();
  const need = (...kinds: AppField['kind'][]) => fields.some((f) => kinds.includes(f.kind));
  const functions = useQuery({ ...trpc.functions.list.queryOptions({ installationId, filters: {} }), enabled: need('function', 'functions') });
  const devices = useQuery({ ...trpc.devices.list.queryOptions({ installationId, filters: {} }), enabled: need('device', 'devices') });
  const outputs = useQuery({ ...trpc.notifications.outputs.list.queryOptions({ installationId }), enabled: need('output', 'outputs') });
  return (field: AppField): Option[] => {
    const ofType = <T extends { type: string }>(rows: T[] | undefined) => (rows ?? []).filter((r) => field.types.length === 0 || field.types.includes(r.type));
    switch (field.kind) {
      case 'function':
      case 'functions':
        return ofType(functions.data).map((f) => ({ value: String(f.id), label: `${objectName(f, 'function')} (${f.type || 'no type'})` }));
      case 'device':
      case 'devices':
        return ofType(devices.data).map((d) => ({ value: String(d.id), label: `${objectName(d, 'device')} (${d.type || 'no type'})` }));
      case 'output':
      case 'outputs':
        return (outputs.data ?? []).map((o) => ({ value: String(o.id), label: o.name }));
      default:
        return [];
    }
  };
}

/** Keeps a stored id that is not (or no longer) in the list selectable, so saving does not drop it. */
function withIds(options: Option[], ids: number[]): Option[] {
  const missing = ids.filter((id) => !options.some((o) => o.value === String(id)));
  return [...options, ...missing.map((id) => ({ value: String(id), label: `#${id} (not found)` }))];
}

export function AppConfigFields({
  installationId,
  fields,
  values,
  errors,
  onChange,
}: {
  installationId: number;
  fields: AppField[];
  values: Record<string, FieldValue>;
  errors: Record<string, string>;
  /** Also names the changed key, so its error can go. */
  onChange: (values: Record<string, FieldValue>, key: string) => void;
}) {
  const choices = useChoices(installationId, fields);
  const set = (key: string, v: FieldValue) => onChange({ ...values, [key]: v }, key);
  return (
    <Stack gap="sm">
      {fields.map((f, i) => {
        const common = { label: f.label, description: f.description, error: errors[f.key], withAsterisk: f.required };
        const v = values[f.key];
        const heading = f.group && f.group !== fields[i - 1]?.group;
        let input;
        switch (f.kind) {
          case 'toggle':
            input = <Switch label={f.label} description={f.description} error={errors[f.key]} checked={v === true} onChange={(e) => set(f.key, e.currentTarget.checked)} />;
            break;
          case 'number':
            input = (
              <TextInput
                {...common}
                inputMode="decimal"
                value={typeof v === 'string' ? v : ''}
                onChange={(e) => set(f.key, e.currentTarget.value)}
                rightSection={f.min !== undefined || f.max !== undefined ? <Text size="xs" c="dimmed">{`${f.min ?? ''}–${f.max ?? ''}`}</Text> : undefined}
                rightSectionWidth={70}
              />
            );
            break;
          case 'text':
            input = f.multiline ? (
              <Textarea {...common} value={typeof v === 'string' ? v : ''} onChange={(e) => set(f.key, e.currentTarget.value)} autosize minRows={3} />
            ) : (
              <TextInput {...common} value={typeof v === 'string' ? v : ''} onChange={(e) => set(f.key, e.currentTarget.value)} />
            );
            break;
          case 'json':
            input = (
              <Textarea
                {...common}
                description={f.description ?? 'Edited as JSON (the form has no input of this kind).'}
                value={typeof v === 'string' ? v : ''}
                onChange={(e) => set(f.key, e.currentTarget.value)}
                autosize
                minRows={3}
                ff="monospace"
              />
            );
            break;
          case 'function':
          case 'device':
          case 'output': {
            const id = typeof v === 'number' ? v : null;
            input = (
              <Select
                {...common}
                data={withIds(choices(f), id === null ? [] : [id])}
                value={id === null ? null : String(id)}
                onChange={(s) => set(f.key, s === null ? null : Number(s))}
                searchable
                clearable
                nothingFoundMessage={f.types.length ? `Nothing of type ${f.types.join(' or ')}` : 'Nothing found'}
              />
            );
            break;
          }
          default: {
            const ids = Array.isArray(v) ? v : [];
            input = (
              <MultiSelect
                {...common}
                data={withIds(choices(f), ids)}
                value={ids.map(String)}
                onChange={(s) => set(f.key, s.map(Number))}
                searchable
                clearable
                nothingFoundMessage={f.types.length ? `Nothing of type ${f.types.join(' or ')}` : 'Nothing found'}
              />
            );
          }
        }
        return (
          <Fragment key={f.key}>
            {heading && (
              <Title order={4} size="h6" mt="xs">
                {f.group}
              </Title>
            )}
            {input}
          </Fragment>
        );
      })}
    </Stack>
  );
}
