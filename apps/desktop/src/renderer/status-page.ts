// The server's state, why it stopped, its last words, the health checks with their fixes, and the
// controls (start/stop/restart, backup/restore, install a bundle, logs).
import type { DesktopApi } from '../ipc/channels.js';
import { browsableUrl } from '../ipc/urls.js';
import type { Diagnostic, ServerStatus } from '../supervisor/types.js';
import { h, message } from './dom.js';

function statusView(status: ServerStatus): HTMLElement {
  const rows: [string, string | null][] = [
    ['Version', status.version],
    ['Process', status.pid === null ? null : String(status.pid)],
    ['MQTT', status.mqttUrl],
    ['Restarts after a crash', status.restarts ? String(status.restarts) : null],
    ['Last exit code', status.lastExitCode === null ? null : String(status.lastExitCode)],
  ];
  return h(
    'section',
    { class: 'card' },
    h('h1', {}, 'Server ', h('span', { class: `state state-${status.state}` }, status.state)),
    status.reason ? h('p', { class: 'reason' }, status.reason) : null,
    status.state === 'running' && status.httpUrl ? h('p', {}, h('a', { href: browsableUrl(status.httpUrl), class: 'button' }, 'Open the admin UI')) : null,
    h('dl', {}, ...rows.filter(([, value]) => value !== null).flatMap(([label, value]) => [h('dt', {}, label), h('dd', {}, value as string)])),
    status.lastLines.length ? h('details', { open: status.state === 'failed' }, h('summary', {}, 'Last lines the server printed'), h('pre', {}, status.lastLines.join('\n'))) : null,
  );
}

function diagnosticsView(list: Diagnostic[]): HTMLElement {
  const applicable = list.filter((d) => d.applicable);
  if (applicable.length === 0) return h('p', {}, 'No checks apply.');
  return h(
    'ul',
    { class: 'diagnostics' },
    ...applicable.map((d) =>
      h('li', { class: d.passed ? 'passed' : 'failed' }, h('span', { class: 'mark' }, d.passed ? '✔' : '✘'), ` ${d.description}`, d.passed || d.fixes.length === 0 ? null : h('ul', { class: 'fixes' }, ...d.fixes.map((fix) => h('li', {}, fix)))),
    ),
  );
}

export async function renderStatus(root: HTMLElement, desktop: DesktopApi): Promise<() => void> {
  const statusSlot = h('div');
  const output = h('p', { class: 'output', role: 'status' });
  const diagnosticsSlot = h('div');
  const logSlot = h('div');
  const buttons: Record<string, HTMLButtonElement> = {};
  const button = (id: string, label: string, run: () => Promise<unknown>, secondary = false) => {
    const b = h('button', { type: 'button', class: secondary ? 'secondary' : undefined }, label);
    b.addEventListener('click', () => {
      b.disabled = true;
      output.textContent = '';
      run()
        .catch((err: unknown) => {
          output.textContent = message(err);
        })
        .finally(() => {
          b.disabled = false;
          refreshButtons(lastStatus);
        });
    });
    buttons[id] = b;
    return b;
  };

  let lastStatus: ServerStatus = await desktop.status();
  const refreshButtons = (s: ServerStatus) => {
    buttons.start.disabled = !(s.state === 'stopped' || s.state === 'failed' || s.state === 'not-installed');
    buttons.stop.disabled = !(s.state === 'running' || s.state === 'starting' || s.state === 'restarting');
    buttons.restart.disabled = !(s.state === 'running' || s.state === 'failed');
  };
  const show = (s: ServerStatus) => {
    lastStatus = s;
    statusSlot.replaceChildren(statusView(s));
    refreshButtons(s);
  };

  const controls = h(
    'div',
    { class: 'actions' },
    button('start', 'Start', () => desktop.start()),
    button('stop', 'Stop', () => desktop.stop()),
    button('restart', 'Restart', () => desktop.restart()),
  );
  const maintenance = h(
    'div',
    { class: 'actions' },
    button('backup', 'Back up now', async () => {
      const result = await desktop.backup();
      output.textContent = `Backup written: ${result.file} (${Math.round(result.bytes / 1024)} KiB)`;
    }, true),
    button('restore', 'Restore a backup…', async () => {
      const file = await desktop.chooseFile('Backup to restore');
      if (!file) return;
      if (!confirm(`Replace all data with ${file}? The server stops while it restores.`)) return;
      await desktop.restore(file);
      output.textContent = `Restored ${file}.`;
    }, true),
    button('upgrade', 'Install a server bundle…', async () => {
      const dir = await desktop.chooseFolder('Server bundle folder (with manifest.json)');
      if (!dir) return;
      const result = await desktop.upgrade(dir);
      output.textContent = result.outcome === 'upgraded' ? `Upgraded from ${result.from ?? 'nothing'} to ${result.to}.` : `Kept ${result.from}: ${result.to} was rolled back (${result.reason ?? 'unknown reason'}).`;
    }, true),
    button('checks', 'Run checks', async () => diagnosticsSlot.replaceChildren(diagnosticsView(await desktop.diagnostics())), true),
    button('log', 'Show the log', async () => logSlot.replaceChildren(h('pre', { class: 'log' }, (await desktop.logTail(200)).join('\n'))), true),
    button('logs', 'Open the logs folder', () => desktop.openLogs(), true),
    button('data', 'Open the data folder', () => desktop.openDataFolder(), true),
  );

  root.replaceChildren(
    h('nav', {}, h('a', { href: '#settings' }, 'Settings')),
    statusSlot,
    h('section', { class: 'card' }, controls, maintenance, output),
    h('section', { class: 'card' }, h('h2', {}, 'Health checks'), diagnosticsSlot),
    h('section', { class: 'card' }, logSlot),
  );
  show(lastStatus);
  desktop.diagnostics().then(
    (list) => diagnosticsSlot.replaceChildren(diagnosticsView(list)),
    (err: unknown) => diagnosticsSlot.replaceChildren(h('p', { class: 'error' }, message(err))),
  );
  return desktop.onStatus(show);
}
