// Status (last values) and log v3 (history), spec 2.7. The POST forms carry the topic list as a JSON
// array body: go-lynx falls back to them when a GET answers 414.
import type { FastifyInstance } from 'fastify';
import { BadRequestError } from '../../../aam/errors.js';
import { parseTopicList, type LogParams } from '../../../processors/storage/data-service.js';
import type { AppServices } from '../../../services.js';
import { principalOf } from '../authenticate.js';
import { intParam } from '../params.js';

type Req = { Params: { installationId: string }; Querystring: LogParams & Record<string, unknown> };

export function registerDataRoutes(app: FastifyInstance, services: AppServices): void {
  // Status goes out pre-serialized: the data service reuses the JSON of values that did not change.
  app.get<Req>('/api/v2/status/:installationId', { schema: { summary: 'Last value of each topic (relative topics)', tags: ['data'] } }, async (request, reply) => {
    const body = await services.data.statusJson(principalOf(request), intParam(request.params.installationId, 'installation id'), parseTopicList(request.query.topics));
    return reply.type('application/json; charset=utf-8').send(body);
  });
  app.post<Req>('/api/v2/status/:installationId', { schema: { summary: 'Last values for a JSON array of topics', tags: ['data'] } }, async (request, reply) => {
    if (request.body !== undefined && !Array.isArray(request.body)) throw new BadRequestError('body must be a JSON array of topics');
    const body = await services.data.statusJson(principalOf(request), intParam(request.params.installationId, 'installation id'), parseTopicList(request.body));
    return reply.type('application/json; charset=utf-8').send(body);
  });
  const log = async (request: import('fastify').FastifyRequest<Req>, bodyTopics?: unknown) => {
    const page = await services.data.log(principalOf(request), intParam(request.params.installationId, 'installation id'), request.query, bodyTopics);
    // node-lynx reads `last_time`, go-lynx and Grafana read `last` (spec 1.10).
    return { ...page, last_time: page.last };
  };
  app.get<Req>('/api/v3beta/log/:installationId', { schema: { summary: 'History, paged and optionally aggregated (prefixed topics)', tags: ['data'] } }, (request) => log(request));
  app.post<Req>('/api/v3beta/log/:installationId', { schema: { summary: 'History for a JSON array of topics', tags: ['data'] } }, (request) => log(request, request.body ?? []));
}
