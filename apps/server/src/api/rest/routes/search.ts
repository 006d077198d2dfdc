// Search (spec 2.12): GET /api/v3beta/search.
import type { FastifyInstance } from 'fastify';
import { searchResultSchema, searchTypes } from '@lynx/shared';
import type { AppServices } from '../../../services.js';
import { principalOf } from '../authenticate.js';
import { openApi } from './meta-routes.js';

const query = {
  type: 'object',
  properties: {
    q: { type: 'string', description: 'Case-insensitive substring of the name or of a meta value.' },
    types: { type: 'string', description: `Comma-separated: ${searchTypes.join(', ')} (default all).` },
    limit: { type: 'integer', description: 'Results per page; 0 or absent means 100, at most 1000.' },
    offset: { type: 'integer' },
  },
  additionalProperties: { type: 'string', description: '`metadata.<key>=<value>`: exact match on a meta value.' },
} as const;

export function registerSearchRoutes(app: FastifyInstance, services: Pick<AppServices, 'search'>): void {
  app.get(
    '/api/v3beta/search',
    {
      schema: {
        summary: 'Search installations, devices and functions the caller may list',
        tags: ['search'],
        querystring: query,
        response: { 200: openApi(searchResultSchema) },
      },
    },
    async (request) => services.search.search(principalOf(request), request.query),
  );
}
