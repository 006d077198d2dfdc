// The caller's user record and tokens (spec 2.6); user administration grows in the AAM issue.
import type { FastifyInstance } from 'fastify';
import type { AppServices } from '../../../services.js';
import { principalOf } from '../authenticate.js';
import { intParam } from '../params.js';

const userTarget = (raw: unknown): number | 'me' => (raw === 'me' ? 'me' : intParam(raw, 'user id'));

export function registerUserRoutes(app: FastifyInstance, services: AppServices): void {
  app.get('/api/v2/user/me', { schema: { summary: 'The calling user', tags: ['users'] } }, async (request) => services.users.me(principalOf(request)));
  app.get<{ Params: { id: string } }>('/api/v2/user/:id', { schema: { summary: 'One user', tags: ['users'] } }, async (request) =>
    services.users.get(principalOf(request), intParam(request.params.id, 'user id')),
  );
  app.post('/api/v2/user', { schema: { summary: 'Create a user', tags: ['users'] } }, async (request) => services.users.create(principalOf(request), request.body));

  app.get<{ Params: { id: string } }>('/api/v2/user/:id/security/token', { schema: { summary: 'List API tokens (secrets are never shown again)', tags: ['tokens'] } }, async (request) =>
    services.tokens.list(principalOf(request), userTarget(request.params.id)),
  );
  app.post<{ Params: { id: string } }>('/api/v2/user/:id/security/token', { schema: { summary: 'Create an API token; the secret is in this response only', tags: ['tokens'] } }, async (request) =>
    services.tokens.create(principalOf(request), userTarget(request.params.id), request.body),
  );
  app.delete<{ Params: { id: string; tokenId: string } }>('/api/v2/user/:id/security/token/:tokenId', { schema: { summary: 'Revoke an API token', tags: ['tokens'] } }, async (request) =>
    services.tokens.delete(principalOf(request), userTarget(request.params.id), intParam(request.params.tokenId, 'token id')),
  );
}
