// @vitest-environment jsdom
// The three pages in a DOM, against a fake DesktopApi: what the facility manager sees and what is sent.
import { afterEach, describe, expect, it } from 'vitest';
import type { DesktopApi } from '../ipc/channels.js';
import { DesktopError } from '../ipc/envelope.js';
import { sampleSettings, sampleStatus } from '../ipc/fake-ipc.test-helpers.js';
import type { ServerStatus } from '../supervisor/types.js';
import { renderSettings } from './settings-page.js';
import { renderStatus } from './status-page.js';
import { renderWizard } from './wizard.js';

function fakeDesktop() {
  const calls: [string, ...unknown[]][] = [];
  let listener: ((s: ServerStatus) => void) | null = null;
  const desktop = {
    status: async () => sampleStatus({ state: 'failed', reason: 'port 8080 is in use by another program', lastExitCode: 1, lastLines: ['<b>EADDRINUSE</b>'] }),
    onStatus: (l: (s: ServerStatus) => void) => {
      listener = l;
      return () => {
        listener = null;
      };
    },
    settings: async () => sampleSettings,
    diagnostics: async () => [{ id: 'port', description: 'HTTP port 8080 is free', applicable: true, passed: false, fixes: ['Choose another port in Settings'] }],
    firstRun: async (...args: unknown[]) => {
      calls.push(['firstRun', ...args]);
      return sampleStatus({ state: 'running' });
    },
    updateSettings: async (patch: unknown) => {
      calls.push(['updateSettings', patch]);
      throw new DesktopError({ name: 'SettingsError', message: 'port 9090 is in use by another program', code: 'PORT_IN_USE' });
    },
  } as unknown as DesktopApi;
  return { desktop, calls, emit: (s: ServerStatus) => listener?.(s), subscribed: () => listener !== null };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
function submit(form: HTMLFormElement) {
  form.dispatchEvent(new Event('submit', { cancelable: true }));
}
function set(form: HTMLFormElement, name: string, value: string) {
  (form.elements.namedItem(name) as HTMLInputElement).value = value;
}
function errors(root: HTMLElement) {
  return Object.fromEntries([...root.querySelectorAll<HTMLElement>('[data-error-for]')].filter((e) => e.textContent).map((e) => [e.dataset.errorFor, e.textContent]));
}

afterEach(() => {
  document.body.replaceChildren();
});

describe('renderer pages', () => {
  it('wizard: shows field errors, then sends the settings and the password once', async () => {
    const { desktop, calls } = fakeDesktop();
    const root = document.body.appendChild(document.createElement('main'));
    await renderWizard(root, desktop);
    const form = root.querySelector('form')!;
    set(form, 'httpPort', '99999');
    set(form, 'adminPassword', 'short');
    submit(form);
    expect(errors(root)).toEqual({ httpPort: 'must be a whole number between 1 and 65535', adminPassword: 'must be at least 12 characters', adminPasswordRepeat: 'must be the same password' });
    set(form, 'httpPort', '8081');
    set(form, 'databaseKind', 'postgres');
    set(form, 'postgresUrl', 'postgresql://lynx:pw@db.local/lynx');
    set(form, 'adminPassword', 'long enough password');
    set(form, 'adminPasswordRepeat', 'long enough password');
    submit(form);
    await settle();
    expect(errors(root)).toEqual({});
    expect(calls).toEqual([['firstRun', { ...sampleSettings, httpPort: 8081, database: { kind: 'postgres', url: 'postgresql://lynx:pw@db.local/lynx' } }, 'long enough password']]);
    expect(location.hash).toBe('#status');
  });

  it('status: shows the reason, the last lines as text, the checks, and follows status events', async () => {
    const { desktop, emit, subscribed } = fakeDesktop();
    const root = document.body.appendChild(document.createElement('main'));
    const leave = await renderStatus(root, desktop);
    await settle();
    expect(root.querySelector('.reason')?.textContent).toBe('port 8080 is in use by another program');
    expect(root.querySelector('pre')?.innerHTML).toBe('&lt;b&gt;EADDRINUSE&lt;/b&gt;');
    expect(root.querySelector('.diagnostics')?.textContent).toContain('Choose another port in Settings');
    const enabled = () => [...root.querySelectorAll('button')].slice(0, 3).map((b) => `${b.textContent}:${!b.disabled}`);
    expect(enabled()).toEqual(['Start:true', 'Stop:false', 'Restart:true']);
    emit(sampleStatus({ state: 'running', httpUrl: 'http://0.0.0.0:8080', pid: 7 }));
    expect(root.querySelector('.state')?.textContent).toBe('running');
    expect(root.querySelector('a.button')?.getAttribute('href')).toBe('http://127.0.0.1:8080/');
    expect(enabled()).toEqual(['Start:false', 'Stop:true', 'Restart:true']);
    leave();
    expect(subscribed()).toBe(false);
  });

  it("settings: sends only the change and shows the supervisor's refusal", async () => {
    const { desktop, calls } = fakeDesktop();
    const root = document.body.appendChild(document.createElement('main'));
    await renderSettings(root, desktop);
    const form = root.querySelector('form')!;
    set(form, 'httpPort', '9090');
    submit(form);
    await settle();
    expect(calls).toEqual([['updateSettings', { httpPort: 9090 }]]);
    expect(errors(root)).toEqual({ form: 'port 9090 is in use by another program' });
  });
});
