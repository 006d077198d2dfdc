// The principal cache on its own (bounds, TTL, invalidation, the race with a cache miss), then
// through REST: a real AuthService wired to the administration services' AccessEventHub behind
// installAuthentication, so each way of taking access away is refused on the very next request.
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { installAuthentication } from '../../api/rest/authenticate.js';
import { installErrorHandler } from '../../api/rest/error-handler.js';
import { parseEveryBodyAsJson } from '../../api/rest/parse-json-body.js';
import { registerRoleRoutes } from '../../api/rest/routes/roles.js';
import { registerUserRoutes } from '../../api/rest/routes/user.js';
import type { AppServices } from '../../services.js';
import type { Principal } from '../principal.js';
import type { TokenRecord } from '../repositories/tokens.js';
import { createAdminFixture, type AdminFixture } from './admin-test-fixture.js';
import { AuthService } from './auth.js';
import { PrincipalCache, type CachedCredential } from './principal-cache.js';
import { hashToken, newTokenSecret } from './secrets.js';

function credential(tokenId: number, userId: number): CachedCredential {
  const token: TokenRecord = {
    id: tokenId,
    userId,
    type: 'api',
    name: 'api',
    created: 0,
    expire: 0,
    sessionTimeout: 0,
    lastUsed: 0,
    permissions: null,
    agent: '',
  };
  const principal: Principal = { userId, email: `u${userId}@example.com`, roleId: null, tokenId, permissions: new Set(), organizationIds: [] };
  return { token, userExpireAt: 0, principal };
}

describe('PrincipalCache', () => {
  let clock: { now: number };
  let cache: PrincipalCache;
  beforeEach(() => {
    clock = { now: 1000 };
    cache = new PrincipalCache({ maxEntries: 3, ttlSeconds: 30, now: () => clock.now });
  });
  const put = (hash: string, tokenId: number, userId: number) => cache.set(hash, credential(tokenId, userId), cache.generation);

  it('keeps at most maxEntries, dropping the least recently used', () => {
    put('a', 1, 1);
    put('b', 2, 1);
    put('c', 3, 1);
    expect(cache.get('a')?.token.id).toBe(1); // now b is the oldest
    put('d', 4, 1);
    expect(cache.size).toBe(3);
    expect(cache.get('b')).toBeUndefined();
    expect(['a', 'c', 'd'].map((h) => cache.get(h)?.token.id)).toEqual([1, 3, 4]);
  });

  it('forgets entries after the TTL', () => {
    put('a', 1, 1);
    clock.now += 29;
    expect(cache.get('a')).toBeDefined();
    clock.now += 1;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('drops exactly what each event concerns', () => {
    put('a', 1, 10);
    put('b', 2, 10);
    put('c', 3, 20);
    cache.invalidate({ type: 'token-revoked', tokenId: 2 });
    expect([cache.get('a'), cache.get('b'), cache.get('c')].map((e) => e?.token.id)).toEqual([1, undefined, 3]);
    cache.invalidate({ type: 'access-changed', userId: 10 });
    expect([cache.get('a'), cache.get('c')].map((e) => e?.token.id)).toEqual([undefined, 3]);
    cache.invalidate({ type: 'access-changed', userId: null });
    expect(cache.size).toBe(0);
    put('a', 1, 10);
    cache.invalidate({ type: 'all' });
    expect(cache.size).toBe(0);
  });

  it('refuses a result read before an invalidation', () => {
    const before = cache.generation;
    cache.invalidate({ type: 'token-revoked', tokenId: 1 }); // arrives while the miss reads SQL
    cache.set('a', credential(1, 10), before);
    expect(cache.get('a')).toBeUndefined();
    cache.set('a', credential(1, 10), cache.generation);
    expect(cache.get('a')).toBeDefined();
  });

  it('caches nothing with maxEntries 0', () => {
    const off = new PrincipalCache({ maxEntries: 0 });
    off.set('a', credential(1, 1), off.generation);
    expect(off.get('a')).toBeUndefined();
  });
});

describe('REST authentication with cached principals', () => {
  let f: AdminFixture;
  let auth: AuthService;
  let app: FastifyInstance;
  let seen: Principal[];
  let roles = 0;

  beforeEach(async () => {
    f = await createAdminFixture();
    auth = new AuthService({ users: f.repos.users, tokens: f.repos.tokens, roles: f.repos.roles, loginPolicy: f.loginPolicy, twoFactor: f.twoFactor, now: () => f.clock.now, hub: f.hub });
    app = Fastify({ routerOptions: { ignoreDuplicateSlashes: true, ignoreTrailingSlash: true, maxParamLength: 1000 } });
    app.setValidatorCompiler(() => () => true);
    app.setSerializerCompiler(() => (data) => JSON.stringify(data));
    parseEveryBodyAsJson(app);
    installErrorHandler(app);
    await app.register(fastifySwagger, { openapi: { info: { title: 'test', version: '1' } } });
    installAuthentication(app, auth);
    seen = [];
    app.addHook('preHandler', async (request) => {
      if (request.principal) seen.push(request.principal);
    });
    const services = { users: f.usersService, passwords: f.passwords, tokens: f.tokens, roles: f.roleService } as unknown as AppServices;
    registerUserRoutes(app, services);
    registerRoleRoutes(app, services);
    await app.ready();
  });
  afterEach(async () => {
    await app.close();
    await f.close();
  });

  async function call(method: 'GET' | 'POST', url: string, secret: string, body?: unknown) {
    const res = await app.inject({ method, url, headers: { 'x-api-key': secret }, ...(body !== undefined && { payload: JSON.stringify(body) }) });
    return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
  }

  async function token(userId: number, opts: Partial<Pick<TokenRecord, 'type' | 'expire' | 'sessionTimeout'>> = {}) {
    const secret = newTokenSecret();
    const record = await f.repos.tokens.create({
      userId,
      tokenHash: hashToken(secret),
      type: opts.type ?? 'api',
      name: 'test',
      created: f.clock.now,
      expire: opts.expire ?? 0,
      sessionTimeout: opts.sessionTimeout ?? 0,
      permissions: null,
      agent: '',
    });
    return { secret, tokenId: record.id };
  }

  /** A member of the root organization with a role of its own, so narrowing it touches nobody else. */
  async function memberWithRole(permissions: string[]) {
    const role = await f.roleService.create(f.admin, { name: `role ${++roles}`, priority: 20, permissions: Object.fromEntries(permissions.map((k) => [k, true])) });
    const user = await f.usersService.createRecord({
      email: `m${role.id}@example.com`,
      password: 'member-password',
      first_name: '',
      last_name: '',
      mobile: '',
      note: '',
      sms_login: false,
      address: {},
      expire_at: 0,
      meta: {},
      protected_meta: {},
      roleId: role.id,
      organizationIds: [f.orgs.root],
    });
    return { roleId: role.id, userId: user.id, ...(await token(user.id)) };
  }

  it('serves repeated requests from the cache, each with its own principal object', async () => {
    const m = await memberWithRole(['role/create_delete']);
    const findByHash = vi.spyOn(f.repos.tokens, 'findByHash');
    for (let i = 0; i < 3; i++) expect((await call('GET', '/api/v2/user/me', m.secret)).status).toBe(200);
    expect(findByHash).toHaveBeenCalledTimes(1);
    expect(seen).toHaveLength(3);
    expect(seen[0]).not.toBe(seen[1]);
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[0]).toMatchObject({ userId: m.userId, tokenId: m.tokenId, roleId: m.roleId });
  });

  it('refuses a revoked token on the next request', async () => {
    const m = await memberWithRole([]);
    expect((await call('GET', '/api/v2/user/me', m.secret)).status).toBe(200);
    await f.tokens.revoke(m.tokenId);
    expect((await call('GET', '/api/v2/user/me', m.secret)).status).toBe(401);
  });

  it('refuses a logged-out token on the next request', async () => {
    const m = await memberWithRole([]);
    expect((await call('GET', '/api/v2/user/me', m.secret)).status).toBe(200);
    await auth.logout(m.tokenId);
    expect((await call('GET', '/api/v2/user/me', m.secret)).status).toBe(401);
  });

  it('applies a narrowed role on the next request', async () => {
    const m = await memberWithRole(['role/create_delete', 'role/update']);
    expect((await call('GET', '/api/v2/permission', m.secret)).body['role/create_delete']).toBe(true);
    expect((await call('POST', '/api/v2/role', m.secret, {})).status).toBe(400); // allowed, then refused for the body
    await f.roleService.update(f.admin, m.roleId, { permissions: { 'role/update': true } });
    expect((await call('GET', '/api/v2/permission', m.secret)).body['role/create_delete']).toBe(false);
    expect((await call('POST', '/api/v2/role', m.secret, {})).status).toBe(403);
  });

  it('applies a changed role assignment on the next request', async () => {
    const m = await memberWithRole(['role/create_delete']);
    expect((await call('GET', '/api/v2/permission', m.secret)).body['role/create_delete']).toBe(true);
    await f.usersService.update(f.admin, m.userId, { role: f.roles.viewer.id });
    expect((await call('GET', '/api/v2/permission', m.secret)).body['role/create_delete']).toBe(false);
  });

  it('refuses the tokens of a deleted user on the next request', async () => {
    const m = await memberWithRole([]);
    expect((await call('GET', '/api/v2/user/me', m.secret)).status).toBe(200);
    await f.usersService.delete(f.admin, m.userId);
    expect((await call('GET', '/api/v2/user/me', m.secret)).status).toBe(401);
  });

  it('honours token expiry and session timeout while cached', async () => {
    const m = await memberWithRole([]);
    const expiring = await token(m.userId, { expire: f.clock.now + 20 });
    const session = await token(m.userId, { type: 'login', sessionTimeout: 25 });
    expect((await call('GET', '/api/v2/user/me', expiring.secret)).status).toBe(200);
    expect((await call('GET', '/api/v2/user/me', session.secret)).status).toBe(200);
    f.clock.now += 20; // within the cache TTL, past the token's expiry
    expect((await call('GET', '/api/v2/user/me', expiring.secret)).status).toBe(401);
    expect((await call('GET', '/api/v2/user/me', session.secret)).status).toBe(200);
    f.clock.now += 5; // 25 s without use recorded (lastUsed is written once a minute at most)
    expect((await call('GET', '/api/v2/user/me', session.secret)).status).toBe(401);
  });

  it('writes lastUsed at most once a minute per token', async () => {
    const m = await memberWithRole([]);
    const touch = vi.spyOn(f.repos.tokens, 'touch');
    for (let i = 0; i < 3; i++) await call('GET', '/api/v2/user/me', m.secret);
    expect(touch).toHaveBeenCalledTimes(1);
    f.clock.now += 59;
    await call('GET', '/api/v2/user/me', m.secret);
    expect(touch).toHaveBeenCalledTimes(1);
    f.clock.now += 1;
    await call('GET', '/api/v2/user/me', m.secret);
    expect(touch).toHaveBeenCalledTimes(2);
    expect((await f.repos.tokens.get(m.tokenId))?.lastUsed).toBe(f.clock.now);
  });

  it('does not cache restricted tokens', async () => {
    const m = await memberWithRole([]);
    const pending = await token(m.userId, { type: 'password_change' });
    expect((await call('GET', '/api/v2/user/me', pending.secret)).status).toBe(200); // the route accepts it
    expect((await call('GET', '/api/v2/permission', pending.secret)).status).toBe(403);
    expect(auth.principals.size).toBe(0);
  });
});
