// Login, second factor, logout and password reset (spec 2.1, 3.2). The login answer carries
// `nextstep`/`next_step: "smslogin"` when a challenge is due, and `password_change_required` when
// the token only serves changing the password (clients know no other `nextstep` value).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { UnauthorizedError } from '../../../aam/errors.js';
import { parseBasic, type LoginAnswer, type RequestCredentials } from '../../../aam/services/auth.js';
import type { AppServices } from '../../../services.js';
import { principalOf } from '../authenticate.js';

const tags = ['auth'];

function credentialsOf(request: FastifyRequest): RequestCredentials {
  const header = request.headers['x-api-key'];
  return {
    authorization: request.headers.authorization,
    apiKey: Array.isArray(header) ? header[0] : header,
    ip: request.ip,
    agent: request.headers['user-agent'],
  };
}

/** What the client sees: the token and the next step, not our row ids. */
function answer({ tokenId: _id, userId: _user, ...visible }: LoginAnswer) {
  return visible;
}

export function registerAuthRoutes(app: FastifyInstance, services: Pick<AppServices, 'auth' | 'tokens' | 'passwordReset'>): void {
  app.post(
    '/api/v2/auth',
    {
      config: { public: true },
      schema: {
        summary: 'Log in with Basic e-mail:password. Returns {token}; with two-factor also nextstep/next_step "smslogin" (then PUT /auth); password_change_required when the password must be changed first',
        tags,
        security: [{ basicAuth: [] }],
      },
    },
    async (request) => {
      const basic = parseBasic(request.headers.authorization ?? '');
      if (!basic) throw new UnauthorizedError('log in with Authorization: Basic base64(email:password)');
      return answer(await services.auth.login(basic.user, basic.password, { agent: request.headers['user-agent'] ?? '', ip: request.ip }));
    },
  );
  app.put(
    '/api/v2/auth',
    {
      config: { public: true },
      schema: { summary: 'Second factor: {challenge} (TOTP code or recovery code) with the token from POST /auth; returns the login {token}', tags },
    },
    async (request) => answer(await services.auth.completeTwoFactor(credentialsOf(request), request.body)),
  );
  app.delete(
    '/api/v2/auth',
    { config: { accepts: ['password-change'] }, schema: { summary: 'Log out: revokes the calling token', tags } },
    async (request) => {
      const p = principalOf(request);
      if (p.tokenId) await services.tokens.revoke(p.tokenId);
      return { message: 'logged out' };
    },
  );
  app.post(
    '/api/v2/auth/reset_password',
    { config: { public: true }, schema: { summary: 'Ask for a password reset token by e-mail: {email}. Always the same answer', tags } },
    async (request) => services.passwordReset.request(request.body, { ip: request.ip }),
  );
  app.put(
    '/api/v2/auth/reset_password',
    { config: { public: true }, schema: { summary: 'Set a new password {password} with the reset token as X-API-Key; works once', tags } },
    async (request) => services.passwordReset.complete(credentialsOf(request), request.body),
  );
}
