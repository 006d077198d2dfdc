// Content-Security-Policy of the local renderer pages: our own script and style files only, no
// inline code, no eval, no network (the renderer talks to the main process through the preload only).
// The server's admin UI sends its own policy; it is not changed here.
import { isRendererUrl } from './navigation.js';

export const rendererCsp = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** For session.webRequest.onHeadersReceived: adds the policy to responses of renderer pages. */
export function withRendererCsp(
  details: { url: string; responseHeaders?: Record<string, string[]> },
  rendererRoot: string,
): Record<string, string[]> | undefined {
  if (!isRendererUrl(details.url, rendererRoot)) return details.responseHeaders;
  const headers = Object.fromEntries(Object.entries(details.responseHeaders ?? {}).filter(([name]) => name.toLowerCase() !== 'content-security-policy'));
  return { ...headers, 'Content-Security-Policy': [rendererCsp] };
}
