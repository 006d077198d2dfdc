// Where the window may go. Only two places are ours: the local renderer pages and the supervised
// server's origin. Everything else is either opened in the system browser (http/https) or refused.
import { browsableUrl } from '../ipc/urls.js';

export { browsableUrl };

export interface NavigationScope {
  /** file:// URL of the renderer folder, ending with a slash. */
  rendererRoot: string;
  /** The running server's http URL, or null while it does not run. */
  serverUrl: string | null;
}

export type NavigationDecision = 'allow' | 'external' | 'deny';

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

export function isRendererUrl(url: string, rendererRoot: string): boolean {
  const target = parse(url);
  const root = parse(rendererRoot);
  // URL parsing resolves "..", so a path that climbs out of the renderer folder no longer has its prefix.
  return !!target && !!root && target.protocol === 'file:' && root.protocol === 'file:' && target.pathname.startsWith(root.pathname);
}

export function isServerUrl(url: string, serverUrl: string | null): boolean {
  if (!serverUrl) return false;
  const target = parse(url);
  return !!target && (target.protocol === 'http:' || target.protocol === 'https:') && target.origin === new URL(browsableUrl(serverUrl)).origin;
}

/** For will-navigate / will-redirect: stay inside the app, hand web links to the browser. */
export function navigationDecision(url: string, scope: NavigationScope): NavigationDecision {
  if (isRendererUrl(url, scope.rendererRoot) || isServerUrl(url, scope.serverUrl)) return 'allow';
  return isWebUrl(url) ? 'external' : 'deny';
}

/** For window.open / target=_blank: never a second app window; web links go to the system browser. */
export function newWindowDecision(url: string): Exclude<NavigationDecision, 'allow'> {
  return isWebUrl(url) ? 'external' : 'deny';
}

function isWebUrl(url: string): boolean {
  const target = parse(url);
  // shell.openExternal with file:, smb: or custom schemes can start programs: only the web goes out.
  return !!target && (target.protocol === 'http:' || target.protocol === 'https:');
}

/**
 * Permission requests (camera, notifications, geolocation, ...): nothing here needs them. Only writing
 * to the clipboard is granted, to our pages and the admin UI (its "copy the API key" buttons).
 */
export function permissionAllowed(permission: string, requestingUrl: string, scope: NavigationScope): boolean {
  return permission === 'clipboard-sanitized-write' && (isRendererUrl(requestingUrl, scope.rendererRoot) || isServerUrl(requestingUrl, scope.serverUrl));
}
