// One installation: a header with its identity and tabs for everything on it. The tab is part of
// the URL so a view can be bookmarked and the back button works.
import { Anchor, Badge, Breadcrumbs, Group, Tabs, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link, Navigate, useNavigate, useParams } from 'react-router';
import { ErrorState, Loading } from '../components/states.js';
import { usePermissions, type Permissions } from '../session/use-permissions.js';
import { useTRPC } from '../trpc.js';
import { EdgeAppsTab } from './edge-apps-tab.js';
import { FilesTab } from './files-tab.js';
import { HistoryTab } from './history-tab.js';
import { LiveValuesTab } from './live-values-tab.js';
import { MqttInspectorTab } from './mqtt-inspector-tab.js';
import { NotificationsTab } from './notifications-tab.js';
import { SchedulesTab } from './schedules-tab.js';
import { SettingsTab } from './settings-tab.js';
import { XObjectsTab } from './xobjects-tab.js';

interface TabDef {
  value: string;
  label: string;
  visible: (p: Permissions) => boolean;
}

const tabs: TabDef[] = [
  { value: 'devices', label: 'Devices', visible: (p) => p.any('devicex/list') },
  { value: 'functions', label: 'Functions', visible: (p) => p.any('functionx/list') },
  { value: 'live', label: 'Live values', visible: (p) => p.any('status/read') },
  { value: 'history', label: 'History', visible: (p) => p.any('log/read') },
  { value: 'mqtt', label: 'MQTT inspector', visible: (p) => p.any('mqtt/subscribe') || p.any('mqtt/publish') },
  { value: 'schedules', label: 'Schedules', visible: (p) => p.any('schedule/list') },
  { value: 'notifications', label: 'Notifications', visible: (p) => p.any('notification/output/list') || p.any('notification/message/list') },
  { value: 'edge-apps', label: 'Edge apps', visible: (p) => p.any('edge/app/configured/list') },
  { value: 'files', label: 'Files', visible: (p) => p.any('file/list') },
  { value: 'settings', label: 'Settings', visible: () => true },
];

export function InstallationScreen() {
  const params = useParams();
  const navigate = useNavigate();
  const trpc = useTRPC();
  const permissions = usePermissions();
  const id = Number(params.installationId);
  const valid = Number.isInteger(id) && id > 0;
  const installation = useQuery({ ...trpc.installations.get.queryOptions({ id }), enabled: valid });
  const tab = params.tab ?? 'devices';

  if (valid && !tabs.some((t) => t.value === tab)) return <Navigate to={`/installations/${id}/devices`} replace />;
  if (!valid) return <ErrorState error={new Error('That is not an installation address. Pick one from Installations.')} what="the installation" />;
  if (installation.error) return <ErrorState error={installation.error} what="the installation" onRetry={() => void installation.refetch()} />;
  if (!installation.data) return <Loading label="Loading installation…" />;
  const inst = installation.data;
  const visibleTabs = tabs.filter((t) => !permissions.loaded || t.visible(permissions));

  return (
    <>
      <Breadcrumbs mb="xs" aria-label="Breadcrumb">
        <Anchor component={Link} to="/installations" size="sm">
          Installation list
        </Anchor>
        <Text size="sm">{inst.name}</Text>
      </Breadcrumbs>
      <Group justify="space-between" mb="md" align="flex-end">
        <div>
          <Title order={2}>{inst.name || `Installation ${inst.id}`}</Title>
          <Group gap="xs" mt={4}>
            <Badge variant="light" color="gray">
              ID {inst.id}
            </Badge>
            <Badge variant="light" color="gray">
              Client ID {inst.client_id}
            </Badge>
            <Text size="sm" c="dimmed">
              Topics start with <span className="lynx-mono">{inst.client_id}/</span>
            </Text>
          </Group>
        </div>
      </Group>
      <Tabs value={tab} onChange={(v) => v && void navigate(`/installations/${id}/${v}`)} keepMounted={false}>
        <Tabs.List mb="md">
          {visibleTabs.map((t) => (
            <Tabs.Tab key={t.value} value={t.value}>
              {t.label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        <Tabs.Panel value="devices">
          <XObjectsTab kind="device" installationId={id} />
        </Tabs.Panel>
        <Tabs.Panel value="functions">
          <XObjectsTab kind="function" installationId={id} />
        </Tabs.Panel>
        <Tabs.Panel value="live">
          <LiveValuesTab installationId={id} />
        </Tabs.Panel>
        <Tabs.Panel value="history">
          <HistoryTab installationId={id} clientId={inst.client_id} />
        </Tabs.Panel>
        <Tabs.Panel value="mqtt">
          <MqttInspectorTab installationId={id} />
        </Tabs.Panel>
        <Tabs.Panel value="schedules">
          <SchedulesTab installationId={id} />
        </Tabs.Panel>
        <Tabs.Panel value="notifications">
          <NotificationsTab installationId={id} />
        </Tabs.Panel>
        <Tabs.Panel value="edge-apps">
          <EdgeAppsTab installationId={id} />
        </Tabs.Panel>
        <Tabs.Panel value="files">
          <FilesTab installationId={id} />
        </Tabs.Panel>
        <Tabs.Panel value="settings">
          <SettingsTab installation={inst} />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}
