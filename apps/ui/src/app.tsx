// Providers and routes. Until the login state machine says "signed-in", only the login screen shows.
import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { lazy, type ComponentType } from 'react';
import { AppLayout } from './layout/app-layout.js';
import { LoginScreen } from './screens/login-screen.js';
import { SessionProvider, useSession } from './session/session-context.js';
import { theme } from './theme.js';

// Screens load on first visit, so signing in does not wait for the chart library and every form.
const screen = <K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) => lazy(() => load().then((m) => ({ default: m[name] })));
const OverviewScreen = screen(() => import('./screens/overview-screen.js'), 'OverviewScreen');
const InstallationsScreen = screen(() => import('./screens/installations-screen.js'), 'InstallationsScreen');
const InstallationScreen = screen(() => import('./installation/installation-screen.js'), 'InstallationScreen');
const OrganizationsScreen = screen(() => import('./screens/organizations-screen.js'), 'OrganizationsScreen');
const UsersScreen = screen(() => import('./screens/users-screen.js'), 'UsersScreen');
const RolesScreen = screen(() => import('./screens/roles-screen.js'), 'RolesScreen');
const EdgeAppsScreen = screen(() => import('./screens/edge-apps-screen.js'), 'EdgeAppsScreen');
const TokensScreen = screen(() => import('./screens/tokens-screen.js'), 'TokensScreen');
const SystemScreen = screen(() => import('./screens/system-screen.js'), 'SystemScreen');
const AccountScreen = screen(() => import('./screens/account-screen.js'), 'AccountScreen');
const NotFoundScreen = screen(() => import('./screens/not-found-screen.js'), 'NotFoundScreen');

function Routed() {
  const { state } = useSession();
  if (state.step !== 'signed-in') return <LoginScreen />;
  return (
    <Routes>
      <Route element={<AppLayout />}>
        <Route index element={<OverviewScreen />} />
        <Route path="installations" element={<InstallationsScreen />} />
        <Route path="installations/:installationId" element={<Navigate to="devices" replace />} />
        <Route path="installations/:installationId/:tab" element={<InstallationScreen />} />
        <Route path="organizations" element={<OrganizationsScreen />} />
        <Route path="users" element={<UsersScreen />} />
        <Route path="roles" element={<RolesScreen />} />
        <Route path="edge-apps" element={<EdgeAppsScreen />} />
        <Route path="tokens" element={<TokensScreen />} />
        <Route path="system" element={<SystemScreen />} />
        <Route path="account" element={<AccountScreen />} />
        <Route path="*" element={<NotFoundScreen />} />
      </Route>
    </Routes>
  );
}

export function App() {
  return (
    <MantineProvider theme={theme} defaultColorScheme="light">
      <Notifications position="top-right" />
      <SessionProvider>
        <BrowserRouter>
          <Routed />
        </BrowserRouter>
      </SessionProvider>
    </MantineProvider>
  );
}
