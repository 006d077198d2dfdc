// Users, their passwords, meta and tokens (spec 2.6). Every `{id}` also accepts `me`.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { messageResponseSchema, userSchema } from '@lynx/shared';
import type { AppServices } from '../../../services.js';
import { principalOf } from '../authenticate.js';
import { intParam, metaFilters } from '../params.js';
import { openApi, registerMetaRoutes } from './meta-routes.js';

const userTarget = (raw: unknown): number | 'me' => (raw === 'me' ? 'me' : intParam(raw, 'user id'));
const tags = ['users'];
const idParams = { type: 'object', properties: { id: { type: 'string', description: 'User id or `me`.' } } } as const;

export function registerUserRoutes(app: FastifyInstance, services: Pick<AppServices, 'users' | 'passwords' | 'tokens'>): void {
  const users = services.users;
  const target = (request: FastifyRequest) => userTarget((request.params as { id?: string }).id);
  const user = openApi(userSchema);
  const message = openApi(messageResponseSchema);
  const doc = (summary: string, response: Record<string, unknown>, params?: Record<string, unknown>) => ({ schema: { summary, tags, ...(params && { params }), response: { 200: response } } });

  app.get(
    '/api/v2/user',
    {
      schema: {
        summary: "List users of the caller's organization subtree; query parameters are exact-match meta filters",
        tags,
        querystring: { type: 'object', additionalProperties: { type: 'string' } },
        response: { 200: openApi(z.array(userSchema)) },
      },
    },
    async (request) => users.list(principalOf(request), metaFilters(request.query as Record<string, unknown>, [])),
  );
  app.post('/api/v2/user', doc('Create a user (with password)', user), async (request) => users.create(principalOf(request), request.body));
  // These two (and DELETE /auth) also serve a login that must change its password first.
  const mustChange = { accepts: ['password-change'] as const };
  app.get('/api/v2/user/me', { ...doc('The calling user', user), config: mustChange }, async (request) => users.me(principalOf(request)));
  app.put('/api/v2/user/me', doc('Change your own profile (not your role, organisations or expiry)', user), async (request) =>
    users.update(principalOf(request), 'me', request.body),
  );
  app.put('/api/v2/user/me/password', { ...doc('Change your own password: {current_password, new_password}', message), config: mustChange }, async (request) =>
    services.passwords.changeOwn(principalOf(request), request.body),
  );
  app.get('/api/v2/user/:id', doc('One user', user, idParams), async (request) => users.get(principalOf(request), target(request)));
  app.put('/api/v2/user/:id', doc('Replace a user (full object; password through /password)', user, idParams), async (request) =>
    users.update(principalOf(request), target(request), request.body),
  );
  app.delete('/api/v2/user/:id', doc('Delete a user; its tokens stop working and its MQTT clients are disconnected', message, idParams), async (request) => {
    const id = target(request);
    const p = principalOf(request);
    return users.delete(p, id === 'me' ? p.userId : id);
  });
  app.put('/api/v2/user/:id/password', doc("Set another user's password: {new_password}", message, idParams), async (request) =>
    services.passwords.reset(principalOf(request), target(request), request.body),
  );

  registerMetaRoutes(app, {
    base: '/api/v2/user/:id',
    tag: 'users',
    noun: 'user',
    params: idParams.properties,
    ids: target,
    handlers: {
      get: (p, id, key) => users.getMeta(p, id, key),
      create: (p, id, key, body) => users.createMeta(p, id, key, body),
      update: (p, id, key, body, opts) => users.updateMeta(p, id, key, body, opts),
      delete: (p, id, key) => users.deleteMeta(p, id, key),
    },
  });

  app.get('/api/v2/user/:id/security/token', { schema: { summary: 'List API tokens (secrets are never shown again)', tags: ['tokens'], params: idParams } }, async (request) =>
    services.tokens.list(principalOf(request), target(request)),
  );
  app.post('/api/v2/user/:id/security/token', { schema: { summary: 'Create an API token; the secret is in this response only', tags: ['tokens'], params: idParams } }, async (request) =>
    services.tokens.create(principalOf(request), target(request), request.body),
  );
  app.delete<{ Params: { id: string; tokenId: string } }>(
    '/api/v2/user/:id/security/token/:tokenId',
    { schema: { summary: 'Revoke an API token', tags: ['tokens'] } },
    async (request) => services.tokens.delete(principalOf(request), target(request), intParam(request.params.tokenId, 'token id')),
  );
}
