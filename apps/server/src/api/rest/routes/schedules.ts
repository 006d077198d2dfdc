// Schedules (spec 2.10): /api/v2/schedule/{installation_id}[/{id}].
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { messageResponseSchema, scheduleSchema } from '@lynx/shared';
import type { AppServices } from '../../../services.js';
import { principalOf } from '../authenticate.js';
import { boolQuery, intParam } from '../params.js';
import { openApi, silentQuery } from './meta-routes.js';

export function registerScheduleRoutes(app: FastifyInstance, services: Pick<AppServices, 'schedules'>): void {
  const svc = services.schedules;
  const base = '/api/v2/schedule';
  const tags = ['schedule'];
  const installationParams = { installationId: { type: 'integer' } };
  const objectParams = { ...installationParams, id: { type: 'integer' } };
  const params = (properties: Record<string, unknown>) => ({ type: 'object', properties });
  const installationId = (request: FastifyRequest) => intParam((request.params as { installationId?: string }).installationId, 'installation id');
  const ids = (request: FastifyRequest) => ({
    installationId: installationId(request),
    id: intParam((request.params as { id?: string }).id, 'schedule id'),
  });
  const query = (request: FastifyRequest) => request.query as Record<string, unknown>;
  const silent = (request: FastifyRequest) => ({ silent: boolQuery(query(request).silent, 'silent') });
  const object = openApi(scheduleSchema);

  app.get(
    `${base}/:installationId`,
    {
      schema: {
        summary: 'List the schedules of an installation, optionally of one executor',
        tags,
        params: params(installationParams),
        querystring: { type: 'object', properties: { executor: { type: 'string', description: 'server, edge_client, ...' } } },
        response: { 200: openApi(z.array(scheduleSchema)) },
      },
    },
    async (request) => {
      const executor = query(request).executor;
      const last = Array.isArray(executor) ? executor[executor.length - 1] : executor;
      return svc.list(principalOf(request), installationId(request), { executor: last === undefined ? undefined : String(last) });
    },
  );
  app.post(
    `${base}/:installationId`,
    {
      schema: {
        summary: 'Create a schedule (cron fields in the installation timezone; value a number or numeric string)',
        tags,
        params: params(installationParams),
        querystring: silentQuery,
        response: { 200: object },
      },
    },
    async (request) => svc.create(principalOf(request), installationId(request), request.body, silent(request)),
  );
  app.get(`${base}/:installationId/:id`, { schema: { summary: 'Get a schedule', tags, params: params(objectParams), response: { 200: object } } }, async (request) => {
    const { installationId: inst, id } = ids(request);
    return svc.get(principalOf(request), inst, id);
  });
  app.put(
    `${base}/:installationId/:id`,
    { schema: { summary: 'Replace a schedule (absent fields keep their values)', tags, params: params(objectParams), querystring: silentQuery, response: { 200: object } } },
    async (request) => {
      const { installationId: inst, id } = ids(request);
      return svc.update(principalOf(request), inst, id, request.body, silent(request));
    },
  );
  app.delete(
    `${base}/:installationId/:id`,
    { schema: { summary: 'Delete a schedule', tags, params: params(objectParams), querystring: silentQuery, response: { 200: openApi(messageResponseSchema) } } },
    async (request) => {
      const { installationId: inst, id } = ids(request);
      return svc.delete(principalOf(request), inst, id, silent(request));
    },
  );
}
