// The create/edit form shared by devices and functions: name and type up front, the topics and
// display meta of a function as fields, everything else in the meta editor.
import { Divider, Select, SimpleGrid, Text, TextInput } from '@mantine/core';
import type { MetaMap } from '@lynx/shared';
import { MetaEditor, metaRows, rowsToMeta, type MetaRow } from '../components/meta-editor.js';

export type XKind = 'device' | 'function';

/** Meta keys that have their own field in the form; the rest stay in the editor. */
const fieldKeys: Record<XKind, string[]> = {
  device: ['name'],
  function: ['name', 'device_id', 'topic_read', 'topic_write', 'unit', 'format'],
};

export const functionTypes = ['temperature', 'humidity', 'switch', 'dimmer', 'door', 'window', 'movement', 'power', 'energy', 'co2', 'luminance', 'pressure', 'voltage', 'current', 'level', 'alarm'];
export const deviceTypes = ['virtual', 'zwave', 'shelly', 'modbus', 'knx', 'wmbus', 'lora', 'mqtt'];

export interface XForm {
  type: string;
  fields: Record<string, string>;
  rows: MetaRow[];
}

export function emptyForm(): XForm {
  return { type: '', fields: {}, rows: [] };
}

export function formFromObject(kind: XKind, o: { type: string; meta: MetaMap; protected_meta: MetaMap }): XForm {
  const fields: Record<string, string> = {};
  const rest: MetaMap = {};
  for (const [k, v] of Object.entries(o.meta)) (fieldKeys[kind].includes(k) ? fields : rest)[k] = v;
  return { type: o.type, fields, rows: metaRows(rest, o.protected_meta) };
}

/** The body for create/update. Protected meta is only sent by those who may edit it, so others never wipe it. */
export function formToWrite(form: XForm, canEditProtected: boolean): { type: string; meta: MetaMap; protected_meta?: MetaMap } {
  const { meta, protected_meta } = rowsToMeta(form.rows);
  for (const [k, v] of Object.entries(form.fields)) if (v.trim() !== '') meta[k] = v.trim();
  return canEditProtected ? { type: form.type.trim(), meta, protected_meta } : { type: form.type.trim(), meta };
}

export function XObjectForm({
  kind,
  form,
  onChange,
  devices,
  canViewProtected,
  canEditProtected,
}: {
  kind: XKind;
  form: XForm;
  onChange: (f: XForm) => void;
  devices?: { id: number; name: string }[];
  canViewProtected: boolean;
  canEditProtected: boolean;
}) {
  const field = (key: string) => ({
    value: form.fields[key] ?? '',
    onChange: (e: { currentTarget: { value: string } }) => onChange({ ...form, fields: { ...form.fields, [key]: e.currentTarget.value } }),
  });
  return (
    <>
      <SimpleGrid cols={2}>
        <TextInput label="Name" withAsterisk {...field('name')} data-autofocus />
        {/* A native datalist: suggestions without a second element labelled "Type" (as a combobox listbox would be). */}
        <TextInput
          label="Type"
          withAsterisk
          description={kind === 'function' ? 'What it measures or controls' : 'Where the device comes from'}
          list={`${kind}-types`}
          value={form.type}
          onChange={(e) => onChange({ ...form, type: e.currentTarget.value })}
          autoComplete="off"
        />
        <datalist id={`${kind}-types`}>
          {(kind === 'function' ? functionTypes : deviceTypes).map((t) => (
            <option key={t} value={t} />
          ))}
        </datalist>
      </SimpleGrid>
      {kind === 'function' && (
        <>
          <SimpleGrid cols={2}>
            <TextInput label="Read topic" description="Without the client id, e.g. obj/room1/temperature" {...field('topic_read')} />
            <TextInput label="Write topic" description="Where commands go, e.g. set/obj/room1/switch" {...field('topic_write')} />
            <TextInput label="Unit" description="Shown after the value, e.g. °C" {...field('unit')} />
            <TextInput label="Format" description="printf style, e.g. %.1f°C" {...field('format')} />
          </SimpleGrid>
          <Select
            label="Device"
            placeholder="Not linked to a device"
            clearable
            searchable
            data={(devices ?? []).map((d) => ({ value: String(d.id), label: `${d.name} (#${d.id})` }))}
            value={form.fields.device_id || null}
            onChange={(v) => onChange({ ...form, fields: { ...form.fields, device_id: v ?? '' } })}
            nothingFoundMessage="No device matches"
          />
        </>
      )}
      <Divider label="Meta" labelPosition="left" />
      <Text size="xs" c="dimmed">
        {kind === 'function' ? 'State names (state_on = 1, text_on = On) and other keys.' : 'Any keys the integrations need.'}
      </Text>
      <MetaEditor rows={form.rows} onChange={(rows) => onChange({ ...form, rows })} canViewProtected={canViewProtected} canEditProtected={canEditProtected} />
    </>
  );
}
