// Settings after the first run: the same fields, saved as a patch of what changed (the supervisor
// restarts the server when a setting it uses changed).
import type { DesktopApi } from '../ipc/channels.js';
import { h, message, showErrors } from './dom.js';
import { formFromSettings, settingsFromForm, settingsPatch } from './forms.js';
import { readSettingsFields, settingsFields } from './settings-fields.js';

export async function renderSettings(root: HTMLElement, desktop: DesktopApi): Promise<void> {
  let current = await desktop.settings();
  const saved = h('span', { class: 'saved' });
  const submit = h('button', { type: 'submit' }, 'Save');
  const form = h(
    'form',
    { class: 'card', novalidate: true },
    h('h1', {}, 'Settings'),
    settingsFields(formFromSettings(current), desktop, { showLoginOptions: true }),
    h('p', { class: 'error', 'data-error-for': 'form' }),
    h('div', { class: 'actions' }, h('a', { href: '#status', class: 'button secondary' }, 'Back'), submit, saved),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    saved.textContent = '';
    const result = settingsFromForm(readSettingsFields(form));
    if (!result.ok) {
      showErrors(form, result.errors);
      return;
    }
    showErrors(form, {});
    const patch = settingsPatch(current, result.value);
    if (Object.keys(patch).length === 0) {
      saved.textContent = 'Nothing changed.';
      return;
    }
    submit.disabled = true;
    desktop.updateSettings(patch).then(
      (settings) => {
        current = settings;
        submit.disabled = false;
        saved.textContent = 'Saved.';
      },
      (err: unknown) => {
        submit.disabled = false;
        showErrors(form, { form: message(err) });
      },
    );
  });
  root.replaceChildren(form);
}
