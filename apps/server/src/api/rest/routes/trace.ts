// The audit trace (spec 1.14, 2.12).
import type { FastifyInstance } from 'fastify';
import { traceListSchema } from '@lynx/shared';
import { traceActions, traceObjectTypes } from '../../../aam/audit.js';
import type { AppServices } from '../../../services.js';
import { principalOf } from '../authenticate.js';
import { openApi } from './meta-routes.js';

const query = {
  type: 'object',
  properties: {
    from: { type: 'number', description: 'Unix seconds (inclusive; a float is fine).' },
    to: { type: 'number', description: 'Unix seconds (inclusive); 0 or less means no upper bound.' },
    limit: { type: 'integer', description: 'Entries per page; 0 or absent means 1000, at most 10000.' },
    offset: { type: 'integer' },
    order: { type: 'string', enum: ['asc', 'desc'], description: 'By timestamp; default desc.' },
    object_type: { type: 'string', enum: [...traceObjectTypes] },
    object_id: { type: 'integer', description: 'Needs object_type.' },
    id: { type: 'string', description: 'One trace entry by its id.' },
    action: { type: 'string', description: `Comma-separated: ${traceActions.join(', ')}.` },
  },
} as const;

export function registerTraceRoutes(app: FastifyInstance, services: Pick<AppServices, 'trace'>): void {
  app.get(
    '/api/v2/trace',
    {
      schema: {
        summary: 'Audit trace: trace/list/system sees all; trace/list what it can reach and its own actions. `last` is the timestamp of the page\'s last entry.',
        tags: ['trace'],
        querystring: query,
        response: { 200: openApi(traceListSchema) },
      },
    },
    async (request) => services.trace.list(principalOf(request), request.query),
  );
}
