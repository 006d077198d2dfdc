// The shell around every signed-in screen: header with the user menu, navigation on the left
// (only the sections the user may open), the screen in the middle.
import { AppShell, Burger, Button, Group, Menu, NavLink, Text, Title, UnstyledButton } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import {
  IconApps,
  IconBuildingCommunity,
  IconChevronDown,
  IconDashboard,
  IconHierarchy2,
  IconKey,
  IconLogout,
  IconServer,
  IconShieldLock,
  IconUser,
  IconUsers,
} from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { Suspense, type ReactNode } from 'react';
import { Loading } from '../components/states.js';
import { Link, Outlet, useLocation } from 'react-router';
import { useSession } from '../session/session-context.js';
import { usePermissions, type Permissions } from '../session/use-permissions.js';
import { useTRPC } from '../trpc.js';

interface NavItem {
  label: string;
  to: string;
  icon: ReactNode;
  visible: (p: Permissions) => boolean;
}

const nav: NavItem[] = [
  { label: 'Overview', to: '/', icon: <IconDashboard size={18} aria-hidden />, visible: () => true },
  { label: 'Installations', to: '/installations', icon: <IconBuildingCommunity size={18} aria-hidden />, visible: (p) => p.any('installation/list') },
  { label: 'Organizations', to: '/organizations', icon: <IconHierarchy2 size={18} aria-hidden />, visible: (p) => p.any('organization/list') },
  { label: 'Users', to: '/users', icon: <IconUsers size={18} aria-hidden />, visible: (p) => p.has('user/list') },
  // Roles are readable by everyone signed in; creating and editing them is checked on the page.
  { label: 'Roles', to: '/roles', icon: <IconShieldLock size={18} aria-hidden />, visible: () => true },
  { label: 'Edge apps', to: '/edge-apps', icon: <IconApps size={18} aria-hidden />, visible: (p) => p.has('edge/app/list') },
  { label: 'API tokens', to: '/tokens', icon: <IconKey size={18} aria-hidden />, visible: () => true },
  // The system page needs the system-wide trace right, which only root administrators hold.
  { label: 'System', to: '/system', icon: <IconServer size={18} aria-hidden />, visible: (p) => p.has('trace/list/system') },
];

function isActive(path: string, to: string): boolean {
  return to === '/' ? path === '/' : path === to || path.startsWith(`${to}/`);
}

export function AppLayout() {
  const [opened, { toggle, close }] = useDisclosure();
  const location = useLocation();
  const permissions = usePermissions();
  const { signOut } = useSession();
  const trpc = useTRPC();
  const me = useQuery({ ...trpc.me.queryOptions(), staleTime: 60_000 });

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 230, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Group gap="sm">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <Title order={1} size="h4">
              Lynx
            </Title>
            <Text size="sm" c="dimmed" visibleFrom="xs">
              on-premise
            </Text>
          </Group>
          <Menu position="bottom-end" withinPortal>
            <Menu.Target>
              <UnstyledButton aria-label="Account menu" px="xs" py={4}>
                <Group gap={6}>
                  <IconUser size={18} aria-hidden />
                  <Text size="sm">{me.data ? me.data.email : '…'}</Text>
                  <IconChevronDown size={14} aria-hidden />
                </Group>
              </UnstyledButton>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Item component={Link} to="/account" leftSection={<IconShieldLock size={16} aria-hidden />}>
                Account and security
              </Menu.Item>
              <Menu.Item leftSection={<IconLogout size={16} aria-hidden />} onClick={() => void signOut()}>
                Sign out
              </Menu.Item>
            </Menu.Dropdown>
          </Menu>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main navigation">
        <div>
          {nav
            .filter((n) => (permissions.loaded ? n.visible(permissions) : n.to === '/'))
            .map((n) => (
              <NavLink
                key={n.to}
                component={Link}
                to={n.to}
                label={n.label}
                leftSection={n.icon}
                active={isActive(location.pathname, n.to)}
                aria-current={isActive(location.pathname, n.to) ? 'page' : undefined}
                onClick={close}
              />
            ))}
        </div>
        <Button mt="auto" variant="subtle" color="gray" leftSection={<IconLogout size={16} aria-hidden />} onClick={() => void signOut()} justify="flex-start">
          Sign out
        </Button>
      </AppShell.Navbar>
      <AppShell.Main>
        {/* Screens load lazily; the shell stays while one arrives. */}
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}
