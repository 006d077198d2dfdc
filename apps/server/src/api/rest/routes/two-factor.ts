// Two-factor (TOTP) enrolment of the caller and its reset by an administrator. A pending login of
// a user who must use two-factor but has no authenticator yet may reach the caller's enrolment
// endpoints (`accepts: two-factor-enrolment`), so such a user can enrol before the first code.
import type { FastifyInstance } from 'fastify';
import type { AppServices } from '../../../services.js';
import { principalOf } from '../authenticate.js';
import { intParam } from '../params.js';

const tags = ['users'];
const path = '/api/v2/user/me/security/totp';
const enrolment = { accepts: ['two-factor-enrolment'] as const };

export function registerTwoFactorRoutes(app: FastifyInstance, services: Pick<AppServices, 'twoFactor'>): void {
  const twoFactor = services.twoFactor;
  app.get(path, { config: enrolment, schema: { summary: 'Two-factor state of the caller: {enabled, recovery_codes_left}', tags } }, async (request) =>
    twoFactor.status(principalOf(request)),
  );
  app.post(
    path,
    { config: enrolment, schema: { summary: 'Start TOTP enrolment: {secret, otpauth_uri, recovery_codes}; confirm with PUT {code}', tags } },
    async (request) => twoFactor.enroll(principalOf(request)),
  );
  app.put(path, { config: enrolment, schema: { summary: 'Confirm TOTP enrolment with a first {code}; turns sms_login on', tags } }, async (request) =>
    twoFactor.confirm(principalOf(request), request.body),
  );
  app.delete(path, { schema: { summary: 'Turn two-factor off: {code} or {password}', tags } }, async (request) =>
    twoFactor.disable(principalOf(request), request.body, { ip: request.ip }),
  );
  app.delete<{ Params: { id: string } }>(
    '/api/v2/user/:id/security/totp',
    { schema: { summary: "Reset a user's two-factor (lost authenticator); needs user/update over that user", tags } },
    async (request) => twoFactor.adminReset(principalOf(request), intParam(request.params.id, 'user id')),
  );
}
