// Resolves the caller of every REST request before its handler runs; routes opt out with
// `config: { public: true }` (ping, login, password reset).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseBasic, type AuthService, type RequestCredentials, type RestrictedAccess } from '../../aam/services/auth.js';
import type { GatewayCredentialsService } from '../../aam/services/gateway-credentials.js';
import type { Principal } from '../../aam/principal.js';
import { UnauthorizedError } from '../../aam/errors.js';
import { internalPrincipal } from './internal-call.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    public?: boolean;
    /** Tokens of an unfinished login this route still serves (two-factor enrolment, password change). */
    accepts?: readonly RestrictedAccess[];
  }
}

export interface CallerAuthenticators {
  auth: Pick<AuthService, 'authenticateRequest'>;
  gateways?: Pick<GatewayCredentialsService, 'authenticate'>;
}

/**
 * Spec 3.1, shared by REST and tRPC: the user schemes first; only when they answer 401 is a Basic
 * header tried as a gateway's mqtt_username:mqtt_password (`gatewayAuth`). Any other refusal of
 * the user schemes (and their 401 message) stands.
 */
export async function authenticateCaller(
  authenticators: CallerAuthenticators,
  creds: RequestCredentials,
  opts?: Parameters<AuthService['authenticateRequest']>[1],
): Promise<Principal> {
  try {
    return await authenticators.auth.authenticateRequest(creds, opts);
  } catch (err) {
    if (!(err instanceof UnauthorizedError) || !authenticators.gateways) throw err;
    const basic = parseBasic(creds.authorization?.trim() ?? '');
    const gateway = basic && (await authenticators.gateways.authenticate(basic.user, basic.password, 'rest'));
    if (!gateway) throw err;
    return gateway.principal;
  }
}

export function installAuthentication(app: FastifyInstance, auth: AuthService, gateways?: CallerAuthenticators['gateways']): void {
  app.addHook('preHandler', async (request) => {
    // Only the Lynx API is authenticated here; /trpc resolves its own context and /docs is public.
    if (request.routeOptions.config?.public || !request.url.replace(/^\/+/, '/').startsWith('/api/')) return;
    const header = request.headers['x-api-key'];
    // In-process calls (edge apps' lynx.apiCall) arrive with their principal already resolved.
    request.principal =
      internalPrincipal(request) ??
      (await authenticateCaller(
        { auth, gateways },
        {
          authorization: request.headers.authorization,
          apiKey: Array.isArray(header) ? header[0] : header,
          ip: request.ip,
          agent: request.headers['user-agent'],
        },
        { accepts: request.routeOptions.config?.accepts },
      ));
    // Trace entries recorded from here on name the caller.
    if (request.requestContext) request.requestContext.userId = request.principal.userId;
  });
}

/** The authenticated caller; routes that are not public always have one. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new UnauthorizedError();
  return request.principal;
}
