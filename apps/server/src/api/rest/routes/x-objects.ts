// DeviceX and FunctionX (spec 2.3, 2.4): the same routes under /api/v2/devicex and /api/v2/functionx.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { messageResponseSchema, xObjectSchema } from '@lynx/shared';
import type { XObjectsService } from '../../../aam/services/x-objects.js';
import type { AppServices } from '../../../services.js';
import { principalOf } from '../authenticate.js';
import { boolQuery, intParam, metaFilters } from '../params.js';
import { openApi, registerMetaRoutes, silentQuery } from './meta-routes.js';

export function registerXObjectRoutes(app: FastifyInstance, services: Pick<AppServices, 'devices' | 'functions'>): void {
  registerKind(app, services.devices, 'device');
  registerKind(app, services.functions, 'function');
}

function registerKind(app: FastifyInstance, svc: XObjectsService, noun: string): void {
  const base = `/api/v2/${svc.kind}`;
  const tags = [svc.kind];
  const installationParams = { installationId: { type: 'integer' } };
  const objectParams = { ...installationParams, id: { type: 'integer' } };
  const params = (properties: Record<string, unknown>) => ({ type: 'object', properties });
  const installationId = (request: FastifyRequest) => intParam((request.params as { installationId?: string }).installationId, 'installation id');
  const objectIds = (request: FastifyRequest) => ({
    installationId: installationId(request),
    id: intParam((request.params as { id?: string }).id, `${noun} id`),
  });
  const silent = (request: FastifyRequest) => ({ silent: boolQuery((request.query as Record<string, unknown>).silent, 'silent') });
  const object = openApi(xObjectSchema);

  app.get(
    `${base}/:installationId`,
    {
      schema: {
        summary: `List the ${noun}s of an installation; query parameters are exact-match filters on meta, \`type\` on the type`,
        tags,
        params: params(installationParams),
        querystring: { type: 'object', additionalProperties: { type: 'string' } },
        response: { 200: openApi(z.array(xObjectSchema)) },
      },
    },
    async (request) => svc.list(principalOf(request), installationId(request), metaFilters(request.query as Record<string, unknown>, ['silent'])),
  );
  app.post(
    `${base}/:installationId`,
    { schema: { summary: `Create a ${noun}`, tags, params: params(installationParams), querystring: silentQuery, response: { 200: object } } },
    async (request) => svc.create(principalOf(request), installationId(request), request.body, silent(request)),
  );
  app.get(`${base}/:installationId/:id`, { schema: { summary: `Get a ${noun}`, tags, params: params(objectParams), response: { 200: object } } }, async (request) => {
    const ids = objectIds(request);
    return svc.get(principalOf(request), ids.installationId, ids.id);
  });
  app.put(
    `${base}/:installationId/:id`,
    { schema: { summary: `Replace a ${noun} (full object)`, tags, params: params(objectParams), querystring: silentQuery, response: { 200: object } } },
    async (request) => {
      const ids = objectIds(request);
      return svc.update(principalOf(request), ids.installationId, ids.id, request.body, silent(request));
    },
  );
  app.delete(
    `${base}/:installationId/:id`,
    {
      schema: { summary: `Delete a ${noun}`, tags, params: params(objectParams), querystring: silentQuery, response: { 200: openApi(messageResponseSchema) } },
    },
    async (request) => {
      const ids = objectIds(request);
      return svc.delete(principalOf(request), ids.installationId, ids.id, silent(request));
    },
  );

  registerMetaRoutes(app, {
    base: `${base}/:installationId/:id`,
    tag: svc.kind,
    noun,
    params: objectParams,
    ids: objectIds,
    handlers: {
      get: (p, ids, key) => svc.getMeta(p, ids.installationId, ids.id, key),
      create: (p, ids, key, body, opts) => svc.createMeta(p, ids.installationId, ids.id, key, body, opts),
      update: (p, ids, key, body, opts) => svc.updateMeta(p, ids.installationId, ids.id, key, body, opts),
      delete: (p, ids, key, opts) => svc.deleteMeta(p, ids.installationId, ids.id, key, opts),
    },
  });
}
