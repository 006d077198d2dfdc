// The UI's files on a Fastify app with a stand-in API route and the REST 404 handler: assets with
// their cache headers, the SPA fallback, API paths never shadowed, and the page for a missing build.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installErrorHandler } from '../rest/error-handler.js';
import { defaultUiDir, serveUi } from './serve-ui.js';

let base: string;
let dir: string;
let app: FastifyInstance;

async function appFor(uiDir: string): Promise<FastifyInstance> {
  const a = Fastify();
  installErrorHandler(a);
  a.get('/api/v2/ping', async () => ({ message: 'pong' }));
  await serveUi(a, { dir: uiDir });
  await a.ready();
  return a;
}

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'ui-dist-'));
  dir = join(base, 'dist');
  await mkdir(join(dir, 'assets'), { recursive: true });
  await writeFile(join(dir, 'index.html'), '<!doctype html><div id="root"></div><script type="module" src="/assets/index-abc123.js"></script>');
  await writeFile(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
  await writeFile(join(dir, 'favicon.svg'), '<svg/>');
  await writeFile(join(base, 'outside.txt'), 'secret');
  app = await appFor(dir);
});

afterEach(async () => {
  await app.close();
  await rm(base, { recursive: true, force: true });
});

describe('serving the admin UI', () => {
  it('answers / and client-side routes with index.html, revalidated, under a CSP', async () => {
    for (const url of ['/', '/installations/4/history', '/tokens?x=1']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toMatch(/script-src 'self'(;|$)/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.body).toContain('<div id="root">');
    }
  });

  it('serves hashed assets for a year and other files revalidated', async () => {
    const asset = await app.inject({ url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const icon = await app.inject({ url: '/favicon.svg' });
    expect(icon.statusCode).toBe(200);
    expect(icon.headers['cache-control']).toBe('no-cache');
    // A stale page asking for an old asset must get a 404, not HTML in place of its script.
    expect((await app.inject({ url: '/assets/index-old.js' })).statusCode).toBe(404);
  });

  it('never shadows the API, tRPC, docs or MQTT paths', async () => {
    expect((await app.inject({ url: '/api/v2/ping' })).json()).toEqual({ message: 'pong' });
    for (const url of ['/api/v2/nothing', '/trpc/nothing', '/docs/nothing', '/mqtt', '/api']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().message).toMatch(/^no such endpoint/);
    }
  });

  it('does not leave its folder', async () => {
    for (const url of ['/../outside.txt', '/assets/..%2F..%2Foutside.txt', '/%2e%2e/outside.txt']) {
      const res = await app.inject({ url });
      expect(res.body, url).not.toContain('secret');
    }
  });

  it('says how to build the UI when there is no build', async () => {
    const empty = await appFor(join(dir, 'missing'));
    try {
      const res = await empty.inject({ url: '/' });
      expect(res.statusCode).toBe(503);
      expect(res.body).toContain('npm run build -w @lynx/ui');
      expect((await empty.inject({ url: '/api/v2/ping' })).statusCode).toBe(200);
    } finally {
      await empty.close();
    }
  });

  it('finds apps/ui/dist beside the server package by default', () => {
    expect(defaultUiDir.replace(/\\/g, '/')).toMatch(/\/apps\/ui\/dist\/?$/);
  });
});
