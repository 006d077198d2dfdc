// The settings inputs shared by the first-run wizard and the settings page.
import type { DesktopApi } from '../ipc/channels.js';
import { checked, field, h, inputValue, message } from './dom.js';
import type { SettingsFormValues } from './forms.js';

export function settingsFields(values: SettingsFormValues, desktop: DesktopApi, opts: { showLoginOptions: boolean }): HTMLElement {
  const dataDir = h('input', { name: 'dataDir', value: values.dataDir, required: true, spellcheck: 'false' });
  const choose = h('button', { type: 'button', class: 'secondary' }, 'Choose…');
  choose.addEventListener('click', () => {
    desktop.chooseFolder('Where Lynx keeps its data').then(
      (folder) => {
        if (folder) (dataDir as HTMLInputElement).value = folder;
      },
      (err: unknown) => alert(message(err)),
    );
  });

  const host = h(
    'select',
    { name: 'host' },
    h('option', { value: '127.0.0.1', selected: values.host === '127.0.0.1' }, 'This computer only (127.0.0.1)'),
    h('option', { value: '0.0.0.0', selected: values.host === '0.0.0.0' }, 'Devices on the network too (0.0.0.0)'),
    values.host !== '127.0.0.1' && values.host !== '0.0.0.0' ? h('option', { value: values.host, selected: true }, values.host) : null,
  );

  const kind = h(
    'select',
    { name: 'databaseKind' },
    h('option', { value: 'sqlite', selected: values.databaseKind === 'sqlite' }, 'SQLite (built in, nothing to set up)'),
    h('option', { value: 'postgres', selected: values.databaseKind === 'postgres' }, 'PostgreSQL server'),
  );
  const postgresUrl = h('input', { name: 'postgresUrl', value: values.postgresUrl, placeholder: 'postgresql://user:password@host:5432/lynx', spellcheck: 'false' });
  const postgresField = field('PostgreSQL URL', postgresUrl);
  const syncKind = () => {
    postgresField.hidden = (kind as HTMLSelectElement).value !== 'postgres';
  };
  kind.addEventListener('change', syncKind);
  syncKind();

  return h(
    'fieldset',
    {},
    field('Data folder', h('div', { class: 'row' }, dataDir, choose), 'Database, time series, broker state, logs and backups.'),
    h('div', { class: 'row' }, field('HTTP port', h('input', { name: 'httpPort', value: values.httpPort, inputmode: 'numeric' })), field('MQTT port', h('input', { name: 'mqttPort', value: values.mqttPort, inputmode: 'numeric' }))),
    field('Listen on', host),
    field('Database', kind),
    postgresField,
    field('Admin e-mail', h('input', { name: 'adminEmail', type: 'email', value: values.adminEmail })),
    h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'autostartServer', checked: values.autostartServer }), 'Start the server when the app starts'),
    opts.showLoginOptions ? h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'openAtLogin', checked: values.openAtLogin }), 'Open the app when I log in') : null,
  );
}

export function readSettingsFields(form: HTMLFormElement): SettingsFormValues {
  return {
    dataDir: inputValue(form, 'dataDir'),
    httpPort: inputValue(form, 'httpPort'),
    mqttPort: inputValue(form, 'mqttPort'),
    host: inputValue(form, 'host'),
    databaseKind: inputValue(form, 'databaseKind') === 'postgres' ? 'postgres' : 'sqlite',
    postgresUrl: inputValue(form, 'postgresUrl'),
    adminEmail: inputValue(form, 'adminEmail'),
    autostartServer: checked(form, 'autostartServer'),
    openAtLogin: checked(form, 'openAtLogin'),
  };
}
