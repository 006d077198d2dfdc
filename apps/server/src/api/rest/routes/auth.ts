// Login and logout (spec 2.1, 3.2). Two-factor and password reset come with the AAM issue.
import type { FastifyInstance } from 'fastify';
import { UnauthorizedError } from '../../../aam/errors.js';
import { parseBasic } from '../../../aam/services/auth.js';
import type { AppServices } from '../../../services.js';
import { principalOf } from '../authenticate.js';

export function registerAuthRoutes(app: FastifyInstance, services: AppServices): void {
  app.post(
    '/api/v2/auth',
    { config: { public: true }, schema: { summary: 'Log in with Basic e-mail:password; returns a token', tags: ['auth'], security: [{ basicAuth: [] }] } },
    async (request) => {
      const basic = parseBasic(request.headers.authorization ?? '');
      if (!basic) throw new UnauthorizedError();
      const { token } = await services.auth.login(basic.user, basic.password, request.headers['user-agent'] ?? '');
      return { token };
    },
  );
  app.delete('/api/v2/auth', { schema: { summary: 'Log out: revokes the calling token', tags: ['auth'] } }, async (request) => {
    const p = principalOf(request);
    if (p.tokenId) await services.tokens.revoke(p.tokenId);
    return { message: 'logged out' };
  });
}
