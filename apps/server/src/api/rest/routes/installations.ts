// Installations (spec 2.2): InstallationInfo, Installation rows and their meta.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { installationInfoSchema, installationSchema, messageResponseSchema } from '@lynx/shared';
import type { AppServices } from '../../../services.js';
import { principalOf } from '../authenticate.js';
import { boolQuery, intParam, metaFilters } from '../params.js';
import { openApi, registerMetaRoutes } from './meta-routes.js';

const tags = ['installation'];
const idParams = { type: 'object', properties: { id: { type: 'integer' } } } as const;
const assignedQuery = {
  type: 'object',
  properties: { assigned: { type: 'boolean', description: 'Only installations the caller is assigned to.' } },
} as const;

export function registerInstallationRoutes(app: FastifyInstance, services: Pick<AppServices, 'installations'>): void {
  const svc = services.installations;
  const id = (request: FastifyRequest) => intParam((request.params as { id?: string }).id, 'installation id');
  const query = (request: FastifyRequest) => request.query as Record<string, unknown>;
  const info = openApi(installationInfoSchema);
  const installation = openApi(installationSchema);

  app.get(
    '/api/v2/installationinfo',
    { schema: { summary: 'List installations the caller can see', tags, querystring: assignedQuery, response: { 200: openApi(z.array(installationInfoSchema)) } } },
    async (request) => svc.listInfo(principalOf(request), { assigned: boolQuery(query(request).assigned, 'assigned') }),
  );
  app.get(
    '/api/v2/installationinfo/:clientId',
    {
      schema: {
        summary: 'Installation by client id',
        tags,
        params: { type: 'object', properties: { clientId: { type: 'integer' } } },
        querystring: assignedQuery,
        response: { 200: info },
      },
    },
    async (request) =>
      svc.infoByClientId(principalOf(request), intParam((request.params as { clientId?: string }).clientId, 'client id'), {
        assigned: boolQuery(query(request).assigned, 'assigned'),
      }),
  );
  app.get(
    '/api/v2/installation',
    {
      schema: {
        summary: 'List installations; every query parameter is an exact-match meta filter',
        tags,
        querystring: { type: 'object', additionalProperties: { type: 'string' } },
        response: { 200: openApi(z.array(installationSchema)) },
      },
    },
    async (request) => svc.list(principalOf(request), metaFilters(query(request), ['silent'])),
  );
  app.post('/api/v2/installation', { schema: { summary: 'Create an installation', tags, response: { 200: installation } } }, async (request) =>
    svc.create(principalOf(request), request.body),
  );
  app.get('/api/v2/installation/:id', { schema: { summary: 'Get an installation', tags, params: idParams, response: { 200: installation } } }, async (request) =>
    svc.get(principalOf(request), id(request)),
  );
  app.put(
    '/api/v2/installation/:id',
    { schema: { summary: 'Replace an installation (full object)', tags, params: idParams, response: { 200: installation } } },
    async (request) => svc.update(principalOf(request), id(request), request.body),
  );
  app.delete(
    '/api/v2/installation/:id',
    { schema: { summary: 'Delete an installation with its devices and functions', tags, params: idParams, response: { 200: openApi(messageResponseSchema) } } },
    async (request) => svc.delete(principalOf(request), id(request)),
  );

  registerMetaRoutes(app, {
    base: '/api/v2/installation/:id',
    tag: 'installation',
    noun: 'installation',
    params: idParams.properties,
    ids: id,
    handlers: {
      get: (p, ids, key) => svc.getMeta(p, ids, key),
      create: (p, ids, key, body, opts) => svc.createMeta(p, ids, key, body, opts),
      update: (p, ids, key, body, opts) => svc.updateMeta(p, ids, key, body, opts),
      delete: (p, ids, key, opts) => svc.deleteMeta(p, ids, key, opts),
    },
  });
}
