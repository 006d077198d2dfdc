// Configures a catalogue app on the installation, or edits an instance: app, version, name and the
// config, as a form drawn from the version's app.json (REST /configure, which tRPC does not
// offer) or, when there is none or the user prefers, as JSON.
import { Alert, Group, Loader, SegmentedControl, Select, SimpleGrid, Text, Textarea, TextInput } from '@mantine/core';
import { IconPencil, IconPlus } from '@tabler/icons-react';
import type { EdgeApp, EdgeAppInstance, EdgeAppVersion } from '@lynx/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { FormDialog } from '../components/form-dialog.js';
import { useRestGet } from '../lib/rest-get.js';
import { errorMessage, useTRPC } from '../trpc.js';
import { configFromValues, fieldsFromAppJson, initialValues, parseConfigJson, type FieldValue } from './app-json-form.js';
import { AppConfigFields } from './edge-app-config-fields.js';

export const versionLabel = (v: EdgeAppVersion) => (v.name ? v.name : `untagged ${v.hash.slice(0, 12)}`);
const versionValue = (v: EdgeAppVersion) => v.name || v.hash;

/** The newest released version, else the newest upload. */
function defaultVersion(versions: EdgeAppVersion[]): string | null {
  const sorted = [...versions].sort((a, b) => b.timestamp - a.timestamp);
  const v = sorted.find((x) => x.name) ?? sorted[0];
  return v ? versionValue(v) : null;
}

function useAppJson(appId: number | null, version: string | null) {
  const get = useRestGet();
  return useQuery({
    queryKey: ['edge-app-configure', appId, version],
    queryFn: async () => (await (await get(`/api/v2/edge/app/${appId}/configure?version=${encodeURIComponent(version ?? '')}`)).json()) as unknown,
    enabled: appId !== null && version !== null,
    staleTime: Infinity,
    retry: false,
  });
}

type Mode = 'form' | 'json';

export function EdgeAppInstanceDialog({ installationId, apps, instance }: { installationId: number; apps: EdgeApp[]; instance?: EdgeAppInstance }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const create = useMutation(trpc.edgeApps.instances.create.mutationOptions());
  const update = useMutation(trpc.edgeApps.instances.update.mutationOptions());
  const mutation = instance ? update : create;
  // Set on first open: the dialog's queries wait for it and stay warm afterwards.
  const [open, setOpen] = useState(false);
  const [appId, setAppId] = useState<number | null>(null);
  const [version, setVersion] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [mode, setMode] = useState<Mode>('form');
  const [values, setValues] = useState<Record<string, FieldValue>>({});
  const [json, setJson] = useState('{}');
  const [base, setBase] = useState<Record<string, unknown>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);

  const versions = useQuery({ ...trpc.edgeApps.versions.queryOptions({ id: appId ?? 0, untagged: true }), enabled: open && appId !== null });
  const appJson = useAppJson(open ? appId : null, version);
  const fields = useMemo(() => fieldsFromAppJson(appJson.data), [appJson.data]);
  const hasForm = fields.length > 0;
  // Without a schema (none declared, or it could not be read) JSON is the only editor.
  const effMode: Mode = hasForm ? mode : 'json';

  // The config in hand whatever the mode, so switching mode or version keeps what was entered.
  const currentConfig = (): Record<string, unknown> => {
    if (effMode === 'json') {
      const parsed = parseConfigJson(json);
      return 'config' in parsed ? parsed.config : base;
    }
    return configFromValues(fields, values, base).config;
  };

  useEffect(() => {
    if (!open || !versions.data || version !== null) return;
    setVersion(defaultVersion(versions.data));
  }, [open, versions.data, version]);

  useEffect(() => {
    if (!open) return;
    setValues(initialValues(fields, base));
    setErrors({});
    if (!hasForm) setJson(JSON.stringify(base, null, 2));
    // Only when the schema changes: base is the config as it was when the schema arrived.
  }, [fields, open]);

  const switchMode = (m: Mode) => {
    if (m === effMode) return;
    if (m === 'json') {
      const config = currentConfig();
      setJson(JSON.stringify(config, null, 2));
      setMode('json');
      return;
    }
    const parsed = parseConfigJson(json);
    if ('error' in parsed) {
      setProblem(`${parsed.error}. Fix it before switching to the form.`);
      return;
    }
    setProblem(null);
    setBase(parsed.config);
    setValues(initialValues(fields, parsed.config));
    setMode('form');
  };

  const app = apps.find((a) => a.id === appId);
  const parsedJson = parseConfigJson(json);
  const jsonError = 'error' in parsedJson ? parsedJson.error : undefined;
  const label = instance ? 'Edit' : 'Configure edge app';
  const instanceName = instance ? instance.name || `instance ${instance.id}` : '';

  return (
    <FormDialog
      label={label}
      title={instance ? `Edit ${instanceName}` : 'Configure an edge app on this installation'}
      submitLabel={instance ? 'Save' : undefined}
      buttonAriaLabel={instance ? `Edit ${instanceName}` : undefined}
      buttonProps={instance ? { variant: 'subtle', size: 'xs', leftSection: <IconPencil size={14} aria-hidden /> } : { leftSection: <IconPlus size={16} aria-hidden /> }}
      size="xl"
      pending={mutation.isPending}
      error={problem ? new Error(problem) : mutation.error}
      onOpen={() => {
        mutation.reset();
        setProblem(null);
        setErrors({});
        setAppId(instance?.app_id ?? null);
        setVersion(instance?.version ?? null);
        setName(instance?.name ?? '');
        setBase(instance?.config ?? {});
        setJson(JSON.stringify(instance?.config ?? {}, null, 2));
        setMode('form');
        setOpen(true);
      }}
      onSubmit={async () => {
        mutation.reset();
        if (appId === null || version === null) {
          setProblem(appId === null ? 'Choose the app to run.' : 'Choose the version to run.');
          return false;
        }
        let config: Record<string, unknown>;
        if (effMode === 'json') {
          const parsed = parseConfigJson(json);
          if ('error' in parsed) {
            setProblem(parsed.error);
            return false;
          }
          config = parsed.config;
        } else {
          const result = configFromValues(fields, values, base);
          setErrors(result.errors);
          if (Object.keys(result.errors).length > 0) {
            setProblem('Some settings need attention: see the marked fields.');
            return false;
          }
          config = result.config;
        }
        setProblem(null);
        const data = { app_id: appId, version, name: name.trim(), config };
        try {
          if (instance) await update.mutateAsync({ installationId, id: instance.id, data });
          else await create.mutateAsync({ installationId, data });
          await queryClient.invalidateQueries({ queryKey: trpc.edgeApps.instances.list.queryKey() });
          await queryClient.invalidateQueries({ queryKey: trpc.edgeApps.instanceStatus.queryKey() });
          return true;
        } catch {
          return false;
        }
      }}
    >
      <SimpleGrid cols={2}>
        <Select
          label="App"
          placeholder={apps.length ? 'Choose an app' : 'No apps in the catalogue'}
          data={[
            ...apps.map((a) => ({ value: String(a.id), label: a.name })),
            ...(appId !== null && !apps.some((a) => a.id === appId) ? [{ value: String(appId), label: `App #${appId}` }] : []),
          ]}
          value={appId === null ? null : String(appId)}
          onChange={(v) => {
            setAppId(v === null ? null : Number(v));
            setVersion(null);
            setBase({});
            setJson('{}');
          }}
          disabled={instance !== undefined}
          required
          searchable
          data-autofocus
        />
        <Select
          label="Version"
          placeholder={appId === null ? 'Choose an app first' : versions.isPending ? 'Loading versions…' : 'Choose a version'}
          data={[
            ...(versions.data ?? []).map((v) => ({ value: versionValue(v), label: versionLabel(v) })),
            ...(version && versions.data && !versions.data.some((v) => versionValue(v) === version) ? [{ value: version, label: version }] : []),
          ]}
          value={version}
          onChange={(v) => {
            // The new version's schema starts from what is entered now.
            setBase(currentConfig());
            setVersion(v);
          }}
          disabled={appId === null}
          required
          error={versions.error ? errorMessage(versions.error) : versions.data?.length === 0 ? 'This app has no uploaded version yet.' : undefined}
          allowDeselect={false}
        />
      </SimpleGrid>
      {app?.short_description && (
        <Text size="sm" c="dimmed">
          {app.short_description}
        </Text>
      )}
      <TextInput label="Name" description="Tells several instances of one app apart." value={name} onChange={(e) => setName(e.currentTarget.value)} />
      {appId !== null && version !== null && (
        <>
          <Group justify="space-between" align="flex-end">
            <Text size="sm" fw={600} id="edge-config-title">
              Configuration
            </Text>
            <SegmentedControl
              size="xs"
              aria-label="Edit the configuration as"
              value={effMode}
              onChange={(v) => switchMode(v as Mode)}
              data={[
                { value: 'form', label: 'Form', disabled: !hasForm },
                { value: 'json', label: 'JSON' },
              ]}
            />
          </Group>
          {appJson.isPending ? (
            <Group gap="xs" role="status">
              <Loader size="xs" />
              <Text size="sm">Loading the app’s settings…</Text>
            </Group>
          ) : appJson.error ? (
            <Alert color="yellow" variant="light">
              The app’s settings could not be read ({errorMessage(appJson.error)}); edit the configuration as JSON.
            </Alert>
          ) : (
            !hasForm && (
              <Text size="sm" c="dimmed">
                This version’s app.json declares no inputs; edit the configuration as JSON.
              </Text>
            )
          )}
          {effMode === 'form' ? (
            <AppConfigFields installationId={installationId} fields={fields}
              values={values}
              errors={errors}
              onChange={(v, key) => {
                setValues(v);
                setErrors(({ [key]: _, ...rest }) => rest);
              }}
            />
          ) : (
            !appJson.isPending && (
              <Textarea
                label="Configuration (JSON)"
                description="A JSON object; the app reads it as cfg."
                value={json}
                onChange={(e) => setJson(e.currentTarget.value)}
                error={jsonError}
                autosize
                minRows={6}
                maxRows={20}
                ff="monospace"
              />
            )
          )}
        </>
      )}
    </FormDialog>
  );
}
