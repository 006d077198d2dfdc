import { describe, expect, it } from 'vitest';
import { sampleSettings } from '../ipc/fake-ipc.test-helpers.js';
import { formFromSettings, settingsFromForm, settingsPatch, wizardFromForm, type WizardFormValues } from './forms.js';

const wizard: WizardFormValues = { ...formFromSettings(sampleSettings), adminPassword: 'correct horse battery', adminPasswordRepeat: 'correct horse battery' };

describe('renderer forms', () => {
  it('turn the wizard fields into settings and the password', () => {
    const result = wizardFromForm({ ...wizard, httpPort: ' 9080 ', databaseKind: 'postgres', postgresUrl: 'postgresql://lynx:pw@db:5432/lynx' });
    expect(result).toEqual({ ok: true, value: { settings: { ...sampleSettings, httpPort: 9080, database: { kind: 'postgres', url: 'postgresql://lynx:pw@db:5432/lynx' } }, adminPassword: 'correct horse battery' } });
  });

  it('name every wrong field with the message the main process would give', () => {
    const result = wizardFromForm({ ...wizard, dataDir: 'data', httpPort: '80a', mqttPort: '', databaseKind: 'postgres', postgresUrl: 'db:5432', adminEmail: 'x', adminPassword: 'short', adminPasswordRepeat: 'other' });
    expect(result).toEqual({
      ok: false,
      errors: {
        dataDir: 'must be an absolute path',
        httpPort: 'must be a whole number between 1 and 65535',
        mqttPort: 'must be a whole number between 1 and 65535',
        postgresUrl: 'must look like postgresql://user:password@host:5432/database',
        adminEmail: 'must be an e-mail address',
        adminPassword: 'must be at least 12 characters',
        adminPasswordRepeat: 'must be the same password',
      },
    });
    expect(wizardFromForm({ ...wizard, adminPasswordRepeat: 'correct horse batterz' })).toEqual({ ok: false, errors: { adminPasswordRepeat: 'must be the same password' } });
  });

  it('save only what changed on the settings page', () => {
    const result = settingsFromForm({ ...formFromSettings(sampleSettings), mqttPort: '1884', openAtLogin: true });
    if (!result.ok) expect.fail(JSON.stringify(result.errors));
    expect(settingsPatch(sampleSettings, result.value)).toEqual({ mqttPort: 1884, openAtLogin: true });
    expect(settingsFromForm({ ...formFromSettings(sampleSettings), mqttPort: '8080' })).toEqual({ ok: false, errors: { mqttPort: 'must differ from the HTTP port' } });
  });
});
