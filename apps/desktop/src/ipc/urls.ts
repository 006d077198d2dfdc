// Shared by the main process and the renderer (no Node imports).

/** A listen address such as 0.0.0.0 is not something a browser can open: use the loopback instead. */
export function browsableUrl(httpUrl: string): string {
  const url = new URL(httpUrl);
  if (url.hostname === '0.0.0.0') url.hostname = '127.0.0.1';
  else if (url.hostname === '[::]') url.hostname = '[::1]';
  return url.toString();
}
