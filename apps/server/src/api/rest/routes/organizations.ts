// Organizations (spec 2.5): the tree, its meta, and the forced password reset of its members.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { messageResponseSchema, organizationMinimalSchema, organizationSchema } from '@lynx/shared';
import type { AppServices } from '../../../services.js';
import { principalOf } from '../authenticate.js';
import { boolQuery, intParam, metaFilters } from '../params.js';
import { openApi, registerMetaRoutes } from './meta-routes.js';

const tags = ['organization'];
const idParams = { type: 'object', properties: { id: { type: 'integer' } } } as const;

/**
 * go-lynx's DeleteOrganization builds `/organization/5&force=true` (no `?`), so the id segment may
 * carry query pairs of its own; they win over the real query string.
 */
export function organizationIdAndForce(raw: unknown, query: Record<string, unknown>): { id: number; force: boolean } {
  const [idText, ...pairs] = String(raw ?? '').split('&');
  const inline = new URLSearchParams(pairs.join('&')).get('force');
  return { id: intParam(idText, 'organization id'), force: boolQuery(inline ?? query.force, 'force') };
}

export function registerOrganizationRoutes(app: FastifyInstance, services: Pick<AppServices, 'organizations' | 'passwords'>): void {
  const svc = services.organizations;
  const id = (request: FastifyRequest) => intParam((request.params as { id?: string }).id, 'organization id');
  const query = (request: FastifyRequest) => request.query as Record<string, unknown>;
  const organization = openApi(organizationSchema);
  const message = openApi(messageResponseSchema);

  app.get(
    '/api/v2/organization',
    {
      schema: {
        summary: 'List organizations the caller can see; other query parameters are exact-match meta filters',
        tags,
        querystring: {
          type: 'object',
          properties: { minimal: { type: 'boolean', description: 'Only {id, name, parent}; parent is 0 for the root.' } },
          additionalProperties: { type: 'string' },
        },
        response: { 200: openApi(z.union([z.array(organizationSchema), z.array(organizationMinimalSchema)])) },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const filters = metaFilters(query(request), ['minimal']);
      return boolQuery(query(request).minimal, 'minimal') ? svc.listMinimal(p, filters) : svc.list(p, filters);
    },
  );
  app.post('/api/v2/organization', { schema: { summary: 'Create an organization below one of yours', tags, response: { 200: organization } } }, async (request) =>
    svc.create(principalOf(request), request.body),
  );
  app.get('/api/v2/organization/:id', { schema: { summary: 'Get an organization', tags, params: idParams, response: { 200: organization } } }, async (request) =>
    svc.get(principalOf(request), id(request)),
  );
  app.put(
    '/api/v2/organization/:id',
    { schema: { summary: 'Replace an organization (full object); a new parent moves it', tags, params: idParams, response: { 200: organization } } },
    async (request) => svc.update(principalOf(request), id(request), request.body),
  );
  app.delete(
    '/api/v2/organization/:id',
    {
      schema: {
        summary: 'Delete an organization; force=true also deletes its sub-organizations, installations and users',
        tags,
        params: { type: 'object', properties: { id: { type: 'string', description: 'Organization id; `5&force=true` (go-lynx) is accepted.' } } },
        querystring: { type: 'object', properties: { force: { type: 'boolean' } } },
        response: { 200: message },
      },
    },
    async (request) => {
      const target = organizationIdAndForce((request.params as { id?: string }).id, query(request));
      return svc.delete(principalOf(request), target.id, { force: target.force });
    },
  );
  app.post(
    '/api/v2/organization/:id/force_password_reset',
    { schema: { summary: 'Require every member to choose a new password (recorded, not yet enforced at login)', tags, params: idParams, response: { 200: message } } },
    async (request) => services.passwords.forceReset(principalOf(request), id(request)),
  );

  registerMetaRoutes(app, {
    base: '/api/v2/organization/:id',
    tag: 'organization',
    noun: 'organization',
    params: idParams.properties,
    ids: id,
    handlers: {
      get: (p, ids, key) => svc.getMeta(p, ids, key),
      create: (p, ids, key, body) => svc.createMeta(p, ids, key, body),
      update: (p, ids, key, body, opts) => svc.updateMeta(p, ids, key, body, opts),
      delete: (p, ids, key) => svc.deleteMeta(p, ids, key),
    },
  });
}
