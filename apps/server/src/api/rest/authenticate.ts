// Resolves the caller of every REST request before its handler runs; routes opt out with
// `config: { public: true }` (ping, login, password reset).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthService } from '../../aam/services/auth.js';
import type { Principal } from '../../aam/principal.js';
import { UnauthorizedError } from '../../aam/errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    public?: boolean;
  }
}

export function installAuthentication(app: FastifyInstance, auth: AuthService): void {
  app.addHook('preHandler', async (request) => {
    // Only the Lynx API is authenticated here; /trpc resolves its own context and /docs is public.
    if (request.routeOptions.config?.public || !request.url.replace(/^\/+/, '/').startsWith('/api/')) return;
    const header = request.headers['x-api-key'];
    request.principal = await auth.authenticateRequest({
      authorization: request.headers.authorization,
      apiKey: Array.isArray(header) ? header[0] : header,
      ip: request.ip,
      agent: request.headers['user-agent'],
    });
  });
}

/** The authenticated caller; routes that are not public always have one. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new UnauthorizedError();
  return request.principal;
}
