import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { sampleStatus } from '../ipc/fake-ipc.test-helpers.js';
import { trayMenuTemplate, trayTooltip, type TrayActions } from './tray-menu.js';

function menu(patch: Parameters<typeof sampleStatus>[0]) {
  const clicked: string[] = [];
  const actions = Object.fromEntries(['showWindow', 'start', 'stop', 'restart', 'openLogs', 'openDataFolder', 'quit'].map((name) => [name, () => clicked.push(name)])) as unknown as TrayActions;
  const items = trayMenuTemplate(sampleStatus(patch), actions);
  const byId = (id: string) => items.find((i) => i.id === id) as MenuItemConstructorOptions;
  const enabled = (id: string) => byId(id).enabled !== false;
  return { items, byId, enabled, clicked };
}

describe('tray menu', () => {
  it('offers start when stopped, stop and restart when running', () => {
    const stopped = menu({ state: 'stopped' });
    expect(stopped.byId('status').label).toBe('Server stopped (0.1.0)');
    expect([stopped.enabled('start'), stopped.enabled('stop'), stopped.enabled('restart')]).toEqual([true, false, false]);
    const running = menu({ state: 'running', httpUrl: 'http://127.0.0.1:8080' });
    expect(running.byId('status').label).toBe('Server running (0.1.0)');
    expect(running.byId('url').label).toBe('http://127.0.0.1:8080');
    expect([running.enabled('start'), running.enabled('stop'), running.enabled('restart')]).toEqual([false, true, true]);
  });

  it('shows why the server failed, shortened to one menu line', () => {
    const reason = `port 8080 is in use by another program; ${'x'.repeat(100)}`;
    const failed = menu({ state: 'failed', reason });
    expect(failed.byId('reason').label).toHaveLength(80);
    expect(failed.byId('reason').label?.startsWith('port 8080 is in use')).toBe(true);
    expect([failed.enabled('start'), failed.enabled('stop'), failed.enabled('restart')]).toEqual([true, false, true]);
    expect(menu({ state: 'running', reason: 'old reason' }).byId('reason')).toBeUndefined();
  });

  it('has nothing to start before a bundle is installed, and nothing to click while stopping', () => {
    const none = menu({ state: 'not-installed', version: null });
    expect(none.byId('status').label).toBe('Server not installed');
    expect(none.enabled('start')).toBe(false);
    const stopping = menu({ state: 'stopping' });
    expect([stopping.enabled('start'), stopping.enabled('stop'), stopping.enabled('restart')]).toEqual([false, false, false]);
  });

  it('wires every entry to its action', () => {
    const m = menu({ state: 'running' });
    for (const id of ['open', 'start', 'stop', 'restart', 'logs', 'data', 'quit']) (m.byId(id).click as () => void)();
    expect(m.clicked).toEqual(['showWindow', 'start', 'stop', 'restart', 'openLogs', 'openDataFolder', 'quit']);
    expect(trayTooltip(sampleStatus({ state: 'restarting' }))).toBe('Lynx On-Premise 0.1.0: server restarting…');
  });
});
