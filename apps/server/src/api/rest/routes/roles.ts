// Roles and the caller's effective permissions (spec 1.4, 2.6).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { messageResponseSchema, permissionMapSchema, roleSchema } from '@lynx/shared';
import type { AppServices } from '../../../services.js';
import { principalOf } from '../authenticate.js';
import { intParam } from '../params.js';
import { openApi } from './meta-routes.js';

const tags = ['roles'];
const idParams = { type: 'object', properties: { id: { type: 'integer' } } } as const;

export function registerRoleRoutes(app: FastifyInstance, services: Pick<AppServices, 'roles'>): void {
  const svc = services.roles;
  const id = (request: FastifyRequest) => intParam((request.params as { id?: string }).id, 'role id');
  const role = openApi(roleSchema);
  const doc = (summary: string, response: Record<string, unknown>, params?: Record<string, unknown>) => ({ schema: { summary, tags, ...(params && { params }), response: { 200: response } } });

  app.get('/api/v2/permission', doc('Your effective permissions: every known key, true when you hold it', openApi(permissionMapSchema)), async (request) =>
    svc.permissions(principalOf(request)),
  );
  app.get('/api/v2/role', doc('List roles', openApi(z.array(roleSchema))), async (request) => svc.list(principalOf(request)));
  app.post('/api/v2/role', doc('Create a role (priority and permissions at most your own)', role), async (request) => svc.create(principalOf(request), request.body));
  app.get('/api/v2/role/:id', doc('Get a role', role, idParams), async (request) => svc.get(principalOf(request), id(request)));
  app.put('/api/v2/role/:id', doc('Replace a role (full object); permissions, when sent, replace the map', role, idParams), async (request) =>
    svc.update(principalOf(request), id(request), request.body),
  );
  app.delete('/api/v2/role/:id', doc('Delete a role nobody holds (built-in roles stay)', openApi(messageResponseSchema), idParams), async (request) =>
    svc.delete(principalOf(request), id(request)),
  );
}
