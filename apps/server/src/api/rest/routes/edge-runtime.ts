// State and log of a configured edge app as the server-side runtime runs it (not a Lynx route;
// it sits under the instance's own path, spec 2.9).
import type { FastifyInstance } from 'fastify';
import type { AppServices } from '../../../services.js';
import { principalOf } from '../authenticate.js';
import { intParam } from '../params.js';

type Req = { Params: { installationId: string; instanceId: string }; Querystring: { limit?: string } };

export function registerEdgeRuntimeRoutes(app: FastifyInstance, services: AppServices): void {
  const path = '/api/v2/edge/app/configured/:installationId/:instanceId';
  const ids = (request: { params: Req['Params'] }) =>
    [intParam(request.params.installationId, 'installation id'), intParam(request.params.instanceId, 'instance id')] as const;
  app.get<Req>(`${path}/status`, { schema: { summary: 'Runtime state of a configured edge app (running, crashed, stopped with reason)', tags: ['edge'] } }, async (request) =>
    services.edgeRuntime.instanceStatus(principalOf(request), ...ids(request)),
  );
  app.get<Req>(`${path}/logs`, { schema: { summary: 'Recent log lines of a configured edge app (newest last)', tags: ['edge'] } }, async (request) => {
    const limit = request.query.limit === undefined ? undefined : intParam(request.query.limit, 'limit');
    return services.edgeRuntime.instanceLogs(principalOf(request), ...ids(request), limit || undefined);
  });
}
