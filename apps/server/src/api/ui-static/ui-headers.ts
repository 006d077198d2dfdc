// What the UI's responses carry besides their bytes: the content security policy and the page shown
// when the UI was never built.

/**
 * Scripts only from this origin (Vite emits no inline script); styles also inline because Mantine
 * sets style attributes and injects its CSS variables; data and blob images for icons and chart
 * exports; connections to this origin only (tRPC, SSE, MQTT over WebSocket).
 */
export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function missingUiPage(dir: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Lynx: admin UI not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>The admin UI is not built</h1>
<p>The server runs, but it found no <code>index.html</code> in <code>${escapeHtml(dir)}</code>.</p>
<p>Build it with <code>npm run build -w @lynx/ui</code> (or run <code>npm start</code>, which builds every workspace), then reload this page.</p>
<p>The REST API answers under <a href="/api/v2/ping">/api/v2</a> and is documented at <a href="/docs">/docs</a>.</p>
</body></html>
`;
}
