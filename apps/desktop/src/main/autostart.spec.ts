import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FakeSupervisor, sampleSettings } from '../ipc/fake-ipc.test-helpers.js';
import { applyOpenAtLogin, autostartDesktopEntry, autostartEntryPath, observeSettings } from './autostart.js';

const configHome = await mkdtemp(path.join(tmpdir(), 'lynx-autostart-'));
afterAll(() => rm(configHome, { recursive: true, force: true }));

describe('open at login', () => {
  it('uses the login items on macOS and Windows, started hidden', async () => {
    const calls: unknown[] = [];
    await applyOpenAtLogin(true, { setLoginItemSettings: (s) => calls.push(s) }, { platform: 'win32', executable: 'C:\\Lynx\\Lynx On-Premise.exe' });
    expect(calls).toEqual([{ openAtLogin: true, openAsHidden: true, args: ['--hidden'] }]);
  });

  it('writes and removes an XDG autostart entry on Linux', async () => {
    const app = { setLoginItemSettings: () => expect.fail('no login items on Linux') };
    const env = { platform: 'linux' as const, executable: '/home/fm/Apps/Lynx On-Premise.AppImage', configHome };
    await applyOpenAtLogin(true, app, env);
    const file = autostartEntryPath(configHome);
    expect(await readFile(file, 'utf8')).toContain('Exec="/home/fm/Apps/Lynx On-Premise.AppImage" --hidden');
    await applyOpenAtLogin(false, app, env);
    await expect(stat(file)).rejects.toThrow();
    expect(autostartDesktopEntry('/opt/a"b$c')).toContain('Exec="/opt/a\\"b\\$c" --hidden');
  });

  it('is applied after settings are saved through the supervisor', async () => {
    const supervisor = new FakeSupervisor();
    const applied: boolean[] = [];
    const observed = observeSettings(supervisor, (s) => {
      applied.push(s.openAtLogin);
    });
    await observed.updateSettings({ openAtLogin: true });
    await observed.firstRun({ ...sampleSettings, openAtLogin: false }, 'long enough password');
    expect(applied).toEqual([true, false]);
    // Everything else passes through, bound to the supervisor.
    expect(observed.logDir()).toBe('/home/fm/lynx-data/logs');
  });
});
