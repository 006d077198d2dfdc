// Route-level checks of the organization, user, role and permission endpoints on a bare Fastify app
// wired like createRestApp; the X-API-Key header picks which fixture principal is calling.
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { messageResponseSchema, organizationMinimalSchema, organizationSchema, permissionKeys, roleSchema, userSchema } from '@lynx/shared';
import { UnauthorizedError } from '../../../aam/errors.js';
import { createAdminFixture, type AdminFixture } from '../../../aam/services/admin-test-fixture.js';
import type { AuthService } from '../../../aam/services/auth.js';
import type { AppServices } from '../../../services.js';
import { installAuthentication } from '../authenticate.js';
import { installErrorHandler } from '../error-handler.js';
import { parseEveryBodyAsJson } from '../parse-json-body.js';
import { registerOrganizationRoutes } from './organizations.js';
import { registerRoleRoutes } from './roles.js';
import { registerUserRoutes } from './user.js';

let f: AdminFixture;
let app: FastifyInstance;

beforeEach(async () => {
  f = await createAdminFixture();
  app = Fastify({ routerOptions: { ignoreDuplicateSlashes: true, ignoreTrailingSlash: true, maxParamLength: 1000 } });
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  parseEveryBodyAsJson(app);
  installErrorHandler(app);
  await app.register(fastifySwagger, { openapi: { info: { title: 'test', version: '1' } } });
  const callers = { admin: f.admin, child: f.childAdmin, user: f.user } as const;
  installAuthentication(app, {
    authenticateRequest: async ({ apiKey }: { apiKey?: string }) => {
      const p = callers[(apiKey ?? 'admin') as keyof typeof callers];
      if (!p) throw new UnauthorizedError();
      return p;
    },
  } as unknown as AuthService);
  const services = { organizations: f.orgService, users: f.usersService, passwords: f.passwords, tokens: f.tokens, roles: f.roleService } as unknown as AppServices;
  registerOrganizationRoutes(app, services);
  registerUserRoutes(app, services);
  registerRoleRoutes(app, services);
  await app.ready();
});
afterEach(async () => {
  await app.close();
  await f.close();
});

// Like go-lynx and node-lynx 2.5: JSON text with no Content-Type header.
async function call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown, as = 'admin') {
  const res = await app.inject({ method, url, headers: { 'x-api-key': as }, ...(body !== undefined && { payload: JSON.stringify(body) }) });
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
}

const message = { message: expect.any(String) };

describe('organization routes', () => {
  it('serves the tree, the minimal list and single organizations', async () => {
    const created = await call('POST', '/api/v2/organization', { name: 'Acme', parent: f.orgs.child, meta: { k: 'v' } });
    expect(created.status).toBe(200);
    organizationSchema.strict().parse(created.body);
    const minimal = await call('GET', '/api/v2/organization?minimal=true');
    z.array(organizationMinimalSchema.strict()).parse(minimal.body);
    expect(minimal.body).toContainEqual({ id: f.orgs.root, name: 'root', parent: 0 });
    expect(minimal.body).toContainEqual({ id: created.body.id, name: 'Acme', parent: f.orgs.child });
    expect((await call('GET', '/api/v2/organization?k=v')).body).toEqual([created.body]);
    expect((await call('GET', '/api/v2/organization', undefined, 'child')).body.map((o: { id: number }) => o.id)).toEqual([f.orgs.child, created.body.id]);
    expect(await call('GET', `//api/v2/organization/${created.body.id}/`)).toEqual({ status: 200, body: created.body });
    const put = await call('PUT', `/api/v2/organization/${created.body.id}`, { ...created.body, notes: 'changed' });
    expect(put).toEqual({ status: 200, body: { ...created.body, notes: 'changed' } });
    expect(await call('PUT', `/api/v2/organization/${created.body.id}/meta/x.y?create_missing=true`, { Value: '1', Protected: false })).toEqual({
      status: 200,
      body: { value: '1', protected: false },
    });
    expect((await call('GET', `/api/v2/organization/${created.body.id}/meta/x.y`)).body).toEqual({ value: '1', protected: false });
    expect(await call('POST', `/api/v2/organization/${f.orgs.child}/force_password_reset`)).toEqual({ status: 200, body: message });
  });

  it('deletes with force in both the ?force=true and the go-lynx `5&force=true` forms', async () => {
    const a = (await call('POST', '/api/v2/organization', { name: 'a' })).body;
    await call('POST', '/api/v2/organization', { name: 'a1', parent: a.id });
    const b = (await call('POST', '/api/v2/organization', { name: 'b' })).body;
    await call('POST', '/api/v2/organization', { name: 'b1', parent: b.id });

    expect(await call('DELETE', `/api/v2/organization/${a.id}`)).toEqual({ status: 400, body: { message: expect.stringMatching(/not empty.*force=true/) } });
    expect(await call('DELETE', `/api/v2/organization/${a.id}&force=maybe`)).toEqual({ status: 400, body: { message: expect.stringMatching(/force/) } });
    const goLynx = await call('DELETE', `/api/v2/organization/${a.id}&force=true`);
    expect(goLynx).toEqual({ status: 200, body: message });
    messageResponseSchema.strict().parse(goLynx.body);
    expect((await call('GET', `/api/v2/organization/${a.id}`)).status).toBe(404);
    expect(await call('DELETE', `/api/v2/organization/${b.id}?force=true`)).toEqual({ status: 200, body: message });
    expect(f.organizations.has(b.id)).toBe(false);
    expect((await call('DELETE', '/api/v2/organization/abc')).status).toBe(400);
    expect(await call('DELETE', `/api/v2/organization/${f.orgs.root}&force=true`)).toEqual({ status: 400, body: message });
  });

  it('answers bad input and missing rights with {message}', async () => {
    for (const body of [[], '"x"', { name: '' }, { name: 'x', parent: 'abc' }, { name: 'x', meta: 'm' }]) {
      expect(await call('POST', '/api/v2/organization', body)).toEqual({ status: 400, body: message });
    }
    expect(await call('POST', '/api/v2/organization', { name: 'x' }, 'user')).toEqual({ status: 403, body: message });
    expect(await call('GET', `/api/v2/organization/${f.orgs.sibling}`, undefined, 'child')).toEqual({ status: 404, body: message });
    expect(await call('GET', '/api/v2/organization?minimal=maybe')).toEqual({ status: 400, body: message });
    expect((await call('GET', '/api/v2/organization', undefined, 'nobody')).status).toBe(401);
  });
});

describe('user routes', () => {
  it('lists, creates, updates and deletes users', async () => {
    const created = await call('POST', '/api/v2/user', { email: 'w@example.com', password: 'long-enough', organisations: [f.orgs.child] });
    expect(created.status).toBe(200);
    userSchema.strict().parse(created.body);
    const list = await call('GET', '/api/v2/user', undefined, 'child');
    z.array(userSchema.strict()).parse(list.body);
    expect(list.body.map((u: { email: string }) => u.email)).toEqual(['child@example.com', 'w@example.com']);
    const put = await call('PUT', `/api/v2/user/${created.body.id}`, { ...created.body, first_name: 'W' }, 'child');
    expect(put).toEqual({ status: 200, body: { ...created.body, first_name: 'W' } });
    expect(await call('PUT', `/api/v2/user/${created.body.id}/password`, { new_password: 'another-password' }, 'child')).toEqual({ status: 200, body: message });
    expect(await call('DELETE', `/api/v2/user/${created.body.id}`, undefined, 'child')).toEqual({ status: 200, body: message });
    expect((await call('GET', `/api/v2/user/${created.body.id}`)).status).toBe(404);
    expect((await call('DELETE', `/api/v2/user/${f.admin.userId}`)).status).toBe(400);
    expect((await call('DELETE', '/api/v2/user/me')).status).toBe(400);
  });

  it('serves the caller’s own profile, password and meta under `me`', async () => {
    const me = (await call('GET', '/api/v2/user/me', undefined, 'user')).body;
    expect(await call('PUT', '/api/v2/user/me', { ...me, mobile: '+46' }, 'user')).toEqual({ status: 200, body: { ...me, mobile: '+46' } });
    expect(await call('PUT', '/api/v2/user/me', { ...me, role: f.roles.admin.id }, 'user')).toEqual({ status: 403, body: message });
    expect(await call('PUT', '/api/v2/user/me/password', { current_password: 'wrong', new_password: 'new-password' }, 'user')).toEqual({ status: 400, body: message });
    expect(await call('PUT', '/api/v2/user/me/password', { new_password: 'new-password' }, 'user')).toEqual({ status: 400, body: message });
    expect(await call('POST', '/api/v2/user/me/meta/theme', { value: 'dark' }, 'user')).toEqual({ status: 200, body: { value: 'dark', protected: false } });
    expect((await call('GET', `/api/v2/user/${f.user.userId}/meta/theme`, undefined, 'user')).body).toEqual({ value: 'dark', protected: false });
    expect((await call('GET', '/api/v2/user', undefined, 'user')).status).toBe(403);
    expect((await call('GET', '/api/v2/user/abc')).status).toBe(400);
  });
});

describe('role and permission routes', () => {
  it('serves roles and the permission map', async () => {
    const roles = await call('GET', '/api/v2/role', undefined, 'user');
    z.array(roleSchema.strict()).parse(roles.body);
    expect(roles.body.map((r: { name: string }) => r.name)).toEqual(['admin', 'organization admin', 'user', 'viewer']);
    const created = await call('POST', '/api/v2/role', { name: 'ops', priority: 20, permissions: { 'log/read/all': true } });
    expect(created.status).toBe(200);
    expect(await call('GET', `/api/v2/role/${created.body.id}`)).toEqual(created);
    expect((await call('PUT', `/api/v2/role/${created.body.id}`, { ...created.body, priority: 30 })).body.priority).toBe(30);
    expect(await call('POST', '/api/v2/role', { name: 'x', permissions: { nope: true } })).toEqual({ status: 400, body: { message: expect.stringMatching(/nope/) } });
    expect(await call('DELETE', `/api/v2/role/${created.body.id}`)).toEqual({ status: 200, body: message });
    expect(await call('DELETE', `/api/v2/role/${f.roles.admin.id}`)).toEqual({ status: 400, body: message });

    const perms = await call('GET', '/api/v2/permission', undefined, 'child');
    expect(Object.keys(perms.body).length).toBe(permissionKeys.length);
    expect(perms.body['organization/create_delete']).toBe(true);
    expect(perms.body['role/create_delete']).toBe(false);
  });

  it('documents every new endpoint', () => {
    const paths = (app.swagger() as { paths: Record<string, Record<string, { summary?: string; tags?: string[] }>> }).paths;
    for (const p of [
      '/api/v2/organization',
      '/api/v2/organization/{id}',
      '/api/v2/organization/{id}/meta/{key}',
      '/api/v2/organization/{id}/force_password_reset',
      '/api/v2/user',
      '/api/v2/user/me',
      '/api/v2/user/me/password',
      '/api/v2/user/{id}',
      '/api/v2/user/{id}/password',
      '/api/v2/user/{id}/meta/{key}',
      '/api/v2/role',
      '/api/v2/role/{id}',
      '/api/v2/permission',
    ]) {
      expect(Object.keys(paths)).toContain(p);
      for (const op of Object.values(paths[p])) expect(op.summary && op.tags?.length, p).toBeTruthy();
    }
  });
});
