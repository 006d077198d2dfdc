// The security decisions of the main process, pinned without Electron: window preferences,
// where navigation may go, and the renderer's Content-Security-Policy.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appMenuTemplate } from './app-menu.js';
import { rendererCsp, withRendererCsp } from './csp.js';
import { browsableUrl, navigationDecision, newWindowDecision, permissionAllowed } from './navigation.js';
import { pageUrl, shellPaths } from './paths.js';
import { windowOptions } from './window-options.js';

const rendererRoot = 'file:///opt/lynx/resources/app.asar/dist/renderer/';
const scope = { rendererRoot, serverUrl: 'http://0.0.0.0:8080' };

describe('window options', () => {
  it('isolate the pages from Node and Electron', () => {
    const options = windowOptions('/opt/lynx/dist/preload/preload.cjs');
    expect(options.webPreferences).toMatchObject({
      preload: '/opt/lynx/dist/preload/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
    });
    expect(options.show).toBe(false);
  });
});

describe('navigation', () => {
  it('stays on the renderer pages and the supervised server', () => {
    expect(navigationDecision(`${rendererRoot}index.html#settings`, scope)).toBe('allow');
    // The server listens on 0.0.0.0; the window opens it on the loopback.
    expect(navigationDecision('http://127.0.0.1:8080/installations', scope)).toBe('allow');
    expect(browsableUrl('http://0.0.0.0:8080')).toBe('http://127.0.0.1:8080/');
  });

  it('sends other web pages to the system browser and refuses everything else', () => {
    expect(navigationDecision('https://docs.lynx.example/', scope)).toBe('external');
    expect(navigationDecision('http://127.0.0.1:8081/', scope)).toBe('external');
    expect(navigationDecision('http://127.0.0.1:8080/', { ...scope, serverUrl: null })).toBe('external');
    expect(navigationDecision('file:///etc/passwd', scope)).toBe('deny');
    expect(navigationDecision(`${rendererRoot}../../../../etc/passwd`, scope)).toBe('deny');
    expect(navigationDecision('javascript:alert(1)', scope)).toBe('deny');
    expect(navigationDecision('smb://evil/share', scope)).toBe('deny');
    expect(newWindowDecision('https://grafana.example/')).toBe('external');
    expect(newWindowDecision('file:///C:/Windows/System32/calc.exe')).toBe('deny');
  });

  it('grants no permission but clipboard writes from our pages and the admin UI', () => {
    expect(permissionAllowed('clipboard-sanitized-write', 'http://127.0.0.1:8080/tokens', scope)).toBe(true);
    expect(permissionAllowed('clipboard-sanitized-write', 'https://elsewhere.example/', scope)).toBe(false);
    for (const permission of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read']) {
      expect(permissionAllowed(permission, 'http://127.0.0.1:8080/', scope)).toBe(false);
    }
  });
});

describe('renderer Content-Security-Policy', () => {
  it('allows only our own files: no inline script, no eval, no network', () => {
    expect(rendererCsp).toContain("script-src 'self'");
    expect(rendererCsp).toContain("default-src 'none'");
    expect(rendererCsp).toContain("connect-src 'none'");
    expect(rendererCsp).not.toMatch(/unsafe-inline|unsafe-eval/);
  });

  it('is set on renderer responses (replacing any other) and leaves the server pages alone', () => {
    expect(withRendererCsp({ url: `${rendererRoot}index.html`, responseHeaders: { 'content-security-policy': ['default-src *'] } }, rendererRoot)).toEqual({ 'Content-Security-Policy': [rendererCsp] });
    const serverHeaders = { 'Content-Security-Policy': ["default-src 'self'"] };
    expect(withRendererCsp({ url: 'http://127.0.0.1:8080/', responseHeaders: serverHeaders }, rendererRoot)).toBe(serverHeaders);
  });
});

describe('paths', () => {
  it('install the server from the resources when packaged, from the repo build in development', () => {
    const packaged = shellPaths('/opt/lynx/resources/app.asar/dist/main', { packaged: true, resourcesPath: '/opt/lynx/resources', env: {} });
    expect(packaged.bundleDir).toBe(path.join('/opt/lynx/resources', 'server'));
    expect(packaged.preload).toBe(path.join('/opt/lynx/resources/app.asar/dist/preload/preload.cjs'));
    expect(pageUrl(packaged, 'wizard')).toBe('file:///opt/lynx/resources/app.asar/dist/renderer/index.html#wizard');
    expect(packaged.rendererRoot).toBe(rendererRoot);
    const dev = shellPaths('/work/main/apps/desktop/dist/main', { packaged: false, resourcesPath: '/usr/lib/electron/resources', env: {} });
    expect(dev.bundleDir).toBe('/work/main/apps/server/bundle');
  });

  it('has a menu leading back from the admin UI to the desktop pages', () => {
    const shown: string[] = [];
    const menu = appMenuTemplate({ showPage: (p) => shown.push(p), openAdminUi: () => shown.push('admin'), quit: () => shown.push('quit') }, 'linux');
    const items = menu.flatMap((m) => (Array.isArray(m.submenu) ? m.submenu : []));
    for (const id of ['admin', 'status', 'settings', 'quit']) (items.find((i) => i.id === id)?.click as () => void)();
    expect(shown).toEqual(['admin', 'status', 'settings', 'quit']);
  });
});
