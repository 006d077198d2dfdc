// First run: where the data goes, ports, database and the admin account. The password is handed to
// the first server start only (the supervisor never stores it).
import type { DesktopApi } from '../ipc/channels.js';
import { field, h, inputValue, message, showErrors } from './dom.js';
import { formFromSettings, wizardFromForm, type SettingsFormValues } from './forms.js';
import { readSettingsFields, settingsFields } from './settings-fields.js';

const blank: SettingsFormValues = {
  dataDir: '',
  httpPort: '8080',
  mqttPort: '1883',
  host: '127.0.0.1',
  databaseKind: 'sqlite',
  postgresUrl: '',
  adminEmail: 'admin@lynx.local',
  autostartServer: true,
  openAtLogin: false,
};

export async function renderWizard(root: HTMLElement, desktop: DesktopApi): Promise<void> {
  // The supervisor proposes defaults (a data folder in the user's profile); without them, blanks.
  const initial = await desktop.settings().then(formFromSettings, () => blank);
  const submit = h('button', { type: 'submit' }, 'Install and start');
  const form = h(
    'form',
    { class: 'card', novalidate: true },
    h('h1', {}, 'Set up Lynx On-Premise'),
    h('p', {}, 'The server runs on this computer. You can change everything except the admin password later in Settings.'),
    settingsFields(initial, desktop, { showLoginOptions: true }),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Admin password'),
      field('Password', h('input', { name: 'adminPassword', type: 'password', autocomplete: 'new-password' }), 'At least 12 characters.'),
      field('Password again', h('input', { name: 'adminPasswordRepeat', type: 'password', autocomplete: 'new-password' })),
    ),
    h('p', { class: 'error', 'data-error-for': 'form' }),
    h('div', { class: 'actions' }, submit),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const result = wizardFromForm({ ...readSettingsFields(form), adminPassword: inputValue(form, 'adminPassword'), adminPasswordRepeat: inputValue(form, 'adminPasswordRepeat') });
    if (!result.ok) {
      showErrors(form, result.errors);
      return;
    }
    showErrors(form, {});
    submit.disabled = true;
    submit.textContent = 'Starting the server…';
    desktop.firstRun(result.value.settings, result.value.adminPassword).then(
      // The main process opens the admin UI once the server runs; the status page covers the wait.
      () => {
        location.hash = '#status';
      },
      (err: unknown) => {
        submit.disabled = false;
        submit.textContent = 'Install and start';
        showErrors(form, { form: message(err) });
      },
    );
  });
  root.replaceChildren(form);
}
