import { describe, expect, it } from 'vitest';
import { redactUrl, requestSerializer } from './redact-url.js';

describe('redactUrl', () => {
  it('hides the query of tRPC calls, where subscriptions carry the token', () => {
    expect(redactUrl('/trpc/data.live?input=%7B%7D&connectionParams=%7B%22token%22%3A%22s3cret%22%7D')).toBe('/trpc/data.live?[redacted]');
    expect(redactUrl('//trpc/a,b?batch=1')).toBe('//trpc/a,b?[redacted]');
    expect(requestSerializer({ method: 'GET', url: '/trpc/x?connectionParams=s3cret', ip: '::1' })).toEqual({ method: 'GET', url: '/trpc/x?[redacted]', remoteAddress: '::1' });
  });

  it('keeps REST queries, which carry filters rather than secrets', () => {
    expect(redactUrl('/api/v2/status/1?topics=obj/a')).toBe('/api/v2/status/1?topics=obj/a');
    expect(redactUrl('/trpcx?y=1')).toBe('/trpcx?y=1');
    expect(redactUrl('/trpc/me')).toBe('/trpc/me');
  });
});
