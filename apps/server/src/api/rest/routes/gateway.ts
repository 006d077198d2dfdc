// Gateway credentials (spec 1.6, 2.12): issue (or regenerate) and reset an installation's edge
// client credentials. Needs gateway/reset/password/{all,assigned} on the installation.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { gatewayInformationSchema, messageResponseSchema } from '@lynx/shared';
import type { AppServices } from '../../../services.js';
import { principalOf } from '../authenticate.js';
import { intParam } from '../params.js';
import { openApi } from './meta-routes.js';

const tags = ['gateway'];
const params = { type: 'object', properties: { installationId: { type: 'integer' } } } as const;

export function registerGatewayRoutes(app: FastifyInstance, services: Pick<AppServices, 'gateways'>): void {
  const svc = services.gateways;
  const installationId = (request: FastifyRequest) => intParam((request.params as { installationId?: string }).installationId, 'installation id');

  app.post(
    '/api/v2/gateway/credentials/:installationId',
    {
      schema: {
        summary:
          "Create the installation's gateway credentials, replacing (and at once revoking) any previous ones. The password is in this response only; api/aam and mqtt_broker are derived from the request's Host header.",
        tags,
        params,
        response: { 200: openApi(gatewayInformationSchema) },
      },
    },
    async (request) => svc.issue(principalOf(request), installationId(request), { protocol: request.protocol, host: request.headers.host }),
  );
  app.post(
    '/api/v2/gateway/reset/:installationId',
    {
      schema: {
        summary: "Revoke the installation's gateway credentials without issuing new ones; connected gateways are disconnected",
        tags,
        params,
        response: { 200: openApi(messageResponseSchema) },
      },
    },
    async (request) => svc.reset(principalOf(request), installationId(request)),
  );
}
