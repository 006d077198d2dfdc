// The Fastify application serving the Lynx REST API (spec 2) and its OpenAPI document. The HTTP
// server itself is created by the composition root so MQTT-over-WebSocket and tRPC share its port.
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyServerOptions, type FastifyInstance, type FastifyServerFactory } from 'fastify';
import type { Logger } from '../../log.js';
import type { AppServices } from '../../services.js';
import { installAuthentication } from './authenticate.js';
import { installErrorHandler } from './error-handler.js';
import { installMultipart } from './multipart.js';
import { parseEveryBodyAsJson } from './parse-json-body.js';
import { requestSerializer } from './redact-url.js';
import { installRequestContext } from './request-context.js';
import { registerRoutes } from './routes/index.js';
import { installWriteGate, registerReadinessRoutes, type ReadinessSource } from './routes/ready.js';

/** Longer request lines get 414, which go-lynx answers by retrying status/log as POST (spec 2.0). */
export const maxUrlLength = 8192;

export interface RestAppOptions {
  services: AppServices;
  logger: Logger;
  serverFactory?: FastifyServerFactory;
  /** Extra registrations on the same instance (tRPC), before it is ready. */
  extend?: (app: FastifyInstance) => Promise<void> | void;
  /** Largest multipart file part (files, edge-app versions); default 30 MiB. */
  maxUploadBytes?: number;
  /** Serves GET /api/v2/ready and answers writes with 503 while the node is not ready. */
  readiness?: ReadinessSource;
}

/**
 * Inputs are parsed with zod inside the services; route schemas only document the API. Given as
 * the compilers' factories (rather than through setValidatorCompiler), Fastify never loads ajv and
 * fast-json-stringify, about 100 ms of start-up. Typed loosely: Fastify's types want Ajv functions.
 */
const documentationOnlySchemas = {
  buildValidator: () => () => () => true,
  buildSerializer: () => () => (data: unknown) => JSON.stringify(data),
} as unknown as NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;

export async function createRestApp(opts: RestAppOptions): Promise<FastifyInstance> {
  // Typed as the base logger so route modules take a plain FastifyInstance.
  const app: FastifyInstance = Fastify({
    loggerInstance: opts.logger.child({ component: 'rest' }, { serializers: { req: requestSerializer } }) as unknown as FastifyBaseLogger,
    // A line per request would drown the log at device rates; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    serverFactory: opts.serverFactory,
    routerOptions: { ignoreDuplicateSlashes: true, ignoreTrailingSlash: true, maxParamLength: 1000 },
    bodyLimit: 8 * 1024 * 1024,
    trustProxy: false,
    schemaController: { compilersFactory: documentationOnlySchemas },
  });
  parseEveryBodyAsJson(app);
  await installMultipart(app, opts.maxUploadBytes ?? 31_457_280);
  installErrorHandler(app);
  installRequestContext(app);
  app.addHook('onRequest', async (request, reply) => {
    if (request.url.length > maxUrlLength) {
      return reply.status(414).send({ message: `URI too long (${request.url.length} > ${maxUrlLength} characters): send the topics as a JSON array with POST` });
    }
    // Path keys and query filters reach SQL, whose PostgreSQL text cannot hold U+0000.
    if (request.url.includes('%00') || request.url.includes('\u0000')) {
      return reply.status(400).send({ message: 'NUL characters (%00) are not allowed in the URL' });
    }
  });

  await app.register(fastifySwagger, {
    // Only the tagged Lynx routes are documented; /trpc is our UI's private transport.
    hideUntagged: true,
    openapi: {
      info: { title: 'Lynx on-premise REST API', version: '2', description: 'Lynx-compatible REST API (see lynx-api.md).' },
      components: {
        securitySchemes: {
          apiKeyAuth: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
          bearerAuth: { type: 'http', scheme: 'bearer' },
          basicAuth: { type: 'http', scheme: 'basic', description: 'Password is an API key; e-mail and password also work.' },
          gatewayAuth: { type: 'http', scheme: 'basic', description: "A gateway's mqtt_username and mqtt_password (spec 1.6): its own installation only." },
        },
      },
      security: [{ apiKeyAuth: [] }, { bearerAuth: [] }, { basicAuth: [] }],
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  if (opts.readiness) installWriteGate(app, opts.readiness);
  installAuthentication(app, opts.services.auth, opts.services.gateways);
  registerRoutes(app, opts.services);
  if (opts.readiness) registerReadinessRoutes(app, opts.readiness);
  await opts.extend?.(app);
  return app;
}
