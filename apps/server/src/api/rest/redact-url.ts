// Request URLs as logs may show them: tRPC subscriptions carry the caller's token in the query
// (`connectionParams`, since EventSource cannot send headers), so /trpc queries never reach a log.

export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const path = url.slice(0, q);
  return /^\/+trpc(\/|$)/.test(path) ? `${path}?[redacted]` : url;
}

/** pino serializer for fastify's `req`: method, redacted URL and the peer, nothing else. */
export function requestSerializer(req: { method?: string; url?: string; ip?: string; socket?: { remoteAddress?: string } }) {
  return { method: req.method, url: req.url === undefined ? undefined : redactUrl(req.url), remoteAddress: req.ip ?? req.socket?.remoteAddress };
}
