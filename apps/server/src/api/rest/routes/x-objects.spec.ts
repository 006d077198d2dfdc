// Route-level checks of the installation, devicex and functionx endpoints on a bare Fastify app
// wired like createRestApp (JSON bodies without Content-Type, {message} errors, authentication hook).
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installationSchema, metaObjectSchema, xObjectSchema } from '@lynx/shared';
import { createAamFixture, type AamFixture } from '../../../aam/services/aam-test-fixture.js';
import type { AuthService } from '../../../aam/services/auth.js';
import { installAuthentication } from '../authenticate.js';
import { installErrorHandler } from '../error-handler.js';
import { parseEveryBodyAsJson } from '../parse-json-body.js';
import { registerInstallationRoutes } from './installations.js';
import { registerXObjectRoutes } from './x-objects.js';

let f: AamFixture;
let app: FastifyInstance;

beforeEach(async () => {
  f = await createAamFixture();
  app = Fastify({ routerOptions: { ignoreDuplicateSlashes: true, ignoreTrailingSlash: true, maxParamLength: 1000 } });
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  parseEveryBodyAsJson(app);
  installErrorHandler(app);
  await app.register(fastifySwagger, { openapi: { info: { title: 'test', version: '1' } } });
  installAuthentication(app, { authenticateRequest: async () => f.admin } as unknown as AuthService);
  registerInstallationRoutes(app, { installations: f.installations });
  registerXObjectRoutes(app, { devices: f.devices, functions: f.functions });
  await app.ready();
});
afterEach(async () => {
  await app.close();
  await f.close();
});

// Like go-lynx and node-lynx 2.5: JSON text with no Content-Type header.
async function call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown) {
  const res = await app.inject({ method, url, ...(body !== undefined && { payload: JSON.stringify(body) }) });
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
}

async function installation() {
  const res = await call('POST', '/api/v2/installation', { name: 'Home', users: [f.admin.userId] });
  expect(res.status).toBe(200);
  return installationSchema.parse(res.body);
}

describe('installation routes', () => {
  it('serves installationinfo, rows and meta', async () => {
    const inst = await installation();
    const info = await call('GET', '/api/v2/installationinfo?assigned=false');
    expect(info).toEqual({ status: 200, body: [expect.objectContaining({ id: inst.id, client_id: inst.client_id, assigned: true, capabilities: [] })] });
    expect((await call('GET', `/api/v2/installationinfo/${inst.client_id}?assigned=true`)).body.id).toBe(inst.id);
    expect((await call('GET', `/api/v2/installationinfo/${inst.id}`)).status).toBe(404);
    expect(await call('GET', `//api/v2/installation/${inst.id}/`)).toEqual({ status: 200, body: inst });

    const put = await call('PUT', `/api/v2/installation/${inst.id}`, { ...inst, meta: { site: 'north' } });
    expect(put.body.meta).toEqual({ site: 'north' });
    expect((await call('GET', '/api/v2/installation?site=north')).body.length).toBe(1);
    expect((await call('GET', '/api/v2/installation?site=south')).body.length).toBe(0);

    expect(await call('POST', `/api/v2/installation/${inst.id}/meta/x.y`, { value: '1' })).toEqual({ status: 200, body: { value: '1', protected: false } });
    expect((await call('POST', `/api/v2/installation/${inst.id}/meta/x.y`, { value: '1' })).status).toBe(400);
    expect(await call('DELETE', `/api/v2/installation/${inst.id}/meta/x.y`)).toEqual({ status: 200, body: { message: expect.any(String) } });
    expect(await call('DELETE', `/api/v2/installation/${inst.id}`)).toEqual({ status: 200, body: { message: expect.any(String) } });
    expect(await call('GET', `/api/v2/installation/${inst.id}`)).toEqual({ status: 404, body: { message: expect.any(String) } });
  });

  it('answers bad input with 400 {message}', async () => {
    expect(await call('POST', '/api/v2/installation', { name: 'x', meta: { a: { b: 1 } } })).toEqual({ status: 400, body: { message: expect.stringMatching(/meta/) } });
    expect((await call('GET', '/api/v2/installation/abc')).status).toBe(400);
    expect((await call('GET', '/api/v2/installationinfo?assigned=maybe')).status).toBe(400);
    const raw = await app.inject({ method: 'POST', url: '/api/v2/installation', payload: '{oops' });
    expect(raw.statusCode).toBe(400);
  });
});

describe('devicex/functionx routes', () => {
  it('creates, filters, updates and deletes like the Lynx clients expect', async () => {
    const inst = await installation();
    f.changes.length = 0;
    const dev = await call('POST', `/api/v2/devicex/${inst.id}`, { type: 'virtual', installation_id: inst.id, meta: { name: 'Dev', 'example.type': 'go-lynx' } });
    expect(dev.status).toBe(200);
    xObjectSchema.strict().parse(dev.body);
    expect(f.changes).toEqual([{ clientId: inst.client_id, kind: 'devicex' }]);
    expect((await call('GET', `/api/v2/devicex/${inst.id}?example.type=go-lynx`)).body).toEqual([dev.body]);
    expect((await call('GET', `/api/v2/devicex/${inst.id}?type=&example.type=other`)).body).toEqual([]);
    expect((await call('GET', `/api/v2/devicex/${inst.id}/${dev.body.id}`)).body).toEqual(dev.body);

    const fn = await call('POST', `/api/v2/functionx/${inst.id}?silent=true`, {
      type: 'temperature',
      installation_id: inst.id,
      meta: { name: 'T', device_id: String(dev.body.id), topic_read: 'obj/example/temperature' },
    });
    expect(f.changes.length).toBe(1);
    expect((await call('GET', `/api/v2/functionx/${inst.id}?type=temperature&device_id=${dev.body.id}`)).body).toEqual([fn.body]);
    const put = await call('PUT', `/api/v2/functionx/${inst.id}/${fn.body.id}`, { ...fn.body, meta: { ...fn.body.meta, name: 'T2' } });
    expect(put.body).toMatchObject({ meta: { name: 'T2' } });
    expect(put.body.updated).toBeGreaterThan(fn.body.updated);
    expect(f.changes.at(-1)).toEqual({ clientId: inst.client_id, kind: 'functionx' });

    expect(await call('DELETE', `/api/v2/functionx/${inst.id}/${fn.body.id}`)).toEqual({ status: 200, body: { message: expect.any(String) } });
    expect((await call('GET', `/api/v2/functionx/${inst.id}/${fn.body.id}`)).status).toBe(404);
  });

  it('decodes meta keys sent encoded (node-lynx) or raw (go-lynx)', async () => {
    const inst = await installation();
    const fn = (await call('POST', `/api/v2/functionx/${inst.id}`, { type: 't' })).body;
    const base = `/api/v2/functionx/${inst.id}/${fn.id}/meta`;
    const glPut = await call('PUT', `${base}/unit?silent=false&create_missing=true`, { Value: '°C', Protected: false });
    expect(glPut).toEqual({ status: 200, body: { value: '°C', protected: false } });
    metaObjectSchema.strict().parse(glPut.body);
    expect((await call('GET', `${base}/unit`)).body).toEqual({ value: '°C', protected: false });

    expect((await call('POST', `${base}/${encodeURIComponent('a/b.c d')}`, { value: 'v' })).status).toBe(200);
    expect((await call('GET', `${base}/a%2Fb.c%20d`)).body).toEqual({ value: 'v', protected: false });
    expect((await call('GET', `${base}/a/b.c%20d`)).body).toEqual({ value: 'v', protected: false });
    expect((await call('PUT', `${base}/a/b.c%20d`, { value: 'w' })).body).toEqual({ value: 'w', protected: false });
    expect((await call('GET', `/api/v2/functionx/${inst.id}/${fn.id}`)).body.meta).toEqual({ unit: '°C', 'a/b.c d': 'w' });
    expect((await call('DELETE', `${base}/a/b.c%20d`)).status).toBe(200);
    expect((await call('PUT', `${base}/missing`, { value: 'w' })).status).toBe(404);
  });

  it('answers the Grafana typo and bad ids with {message}', async () => {
    const inst = await installation();
    expect(await call('GET', `/api/v2/devicexx/${inst.id}`)).toEqual({ status: 404, body: { message: expect.any(String) } });
    expect((await call('GET', '/api/v2/devicex/x')).status).toBe(400);
    expect((await call('GET', '/api/v2/devicex/999999')).status).toBe(404);
    expect((await call('DELETE', `/api/v2/devicex/${inst.id}/1?silent=perhaps`)).status).toBe(400);
  });

  it('documents the endpoints in the OpenAPI document without the wildcard twins', () => {
    const paths = Object.keys((app.swagger() as { paths: Record<string, unknown> }).paths);
    for (const p of [
      '/api/v2/installationinfo',
      '/api/v2/installationinfo/{clientId}',
      '/api/v2/installation/{id}/meta/{key}',
      '/api/v2/devicex/{installationId}',
      '/api/v2/functionx/{installationId}/{id}/meta/{key}',
    ]) {
      expect(paths).toContain(p);
    }
    expect(paths.some((p) => p.includes('*'))).toBe(false);
  });
});
