// Password reset by token (spec 2.1 `/auth/reset_password`): anyone may ask for a reset of an
// address and always gets the same answer, so accounts cannot be discovered; a known user gets a
// one-use token (1 hour) by e-mail and in the server log. The token then sets a new password once
// and authenticates nothing else (auth.ts). Wrong tokens count against the source address.
import { z } from 'zod';
import type { MessageResponse } from '@lynx/shared';
import type { Audit } from '../audit.js';
import { noAudit } from '../audit.js';
import { UnauthorizedError } from '../errors.js';
import type { TokensRepository } from '../repositories/tokens.js';
import type { UsersRepository } from '../repositories/users.js';
import { tokenAlive, tokenSecretOf, type RequestCredentials } from './auth.js';
import { LoginGuard, normalizeEmail, silentLog, type WarnLog } from './login-throttle.js';
import { resetTokenSeconds, tokenType } from './login-tokens.js';
import type { MailTransport } from './mail-transport.js';
import { parseInput } from './parse-input.js';
import { hashToken, newTokenSecret } from './secrets.js';
import type { UserPasswordsService } from './user-passwords.js';

const requestInput = z.object({ email: z.string({ error: 'required' }).max(1000) });

export const resetRequestAnswer: MessageResponse = { message: 'if the address belongs to an account, a password reset token is on its way to it' };

/** Reset mails per address per hour: enough for a lost mail, too few to flood a mailbox. */
const mailsPerHour = 3;

export interface PasswordResetDeps {
  users: Pick<UsersRepository, 'findByEmail' | 'get'>;
  tokens: Pick<TokensRepository, 'create' | 'findByHash' | 'deleteForUser'>;
  passwords: Pick<UserPasswordsService, 'setFromResetToken'>;
  mail: MailTransport;
  guard?: LoginGuard;
  audit?: Audit;
  log?: WarnLog & { error(obj: object, msg: string): void };
  now?: () => number;
}

export class PasswordResetService {
  private readonly now: () => number;
  private readonly audit: Audit;
  private readonly guard: LoginGuard;
  private readonly log: WarnLog & { error(obj: object, msg: string): void };
  private readonly sent = new Map<string, number[]>();

  constructor(private readonly deps: PasswordResetDeps) {
    this.now = deps.now ?? (() => Math.floor(Date.now() / 1000));
    this.audit = deps.audit ?? noAudit;
    this.guard = deps.guard ?? new LoginGuard({ audit: this.audit });
    this.log = deps.log ?? { ...silentLog, error: () => {} };
  }

  /** `POST /api/v2/auth/reset_password {email}`: the same answer whether or not the address is known. */
  async request(body: unknown, client: { ip?: string } = {}): Promise<MessageResponse> {
    const { email: raw } = parseInput(requestInput, body ?? {});
    await this.guard.before({ ip: client.ip });
    const email = normalizeEmail(raw);
    const user = email.includes('\u0000') || email === '' ? null : await this.deps.users.findByEmail(email);
    if (!user || (user.expireAt > 0 && user.expireAt <= this.now())) return resetRequestAnswer;
    if (!this.mayMail(email)) {
      this.log.warn({ email }, `password reset for ${email} not sent: ${mailsPerHour} already sent this hour`);
      return resetRequestAnswer;
    }
    // Only the newest token works: asking again replaces the one before.
    await this.deps.tokens.deleteForUser(user.id, { type: tokenType.reset });
    const secret = newTokenSecret();
    const now = this.now();
    await this.deps.tokens.create({
      userId: user.id,
      tokenHash: hashToken(secret),
      type: tokenType.reset,
      name: 'password reset',
      created: now,
      expire: now + resetTokenSeconds,
      sessionTimeout: 0,
      permissions: null,
      agent: '',
    });
    // The operator's fallback when mail is not configured or does not arrive.
    this.log.warn({ email, token: secret, mail: this.deps.mail.describe }, `password reset token for ${email}`);
    await this.audit.record({
      action: 'update',
      objectType: 'user',
      objectId: user.id,
      userId: user.id,
      description: `password reset token issued for ${email}`,
      organizationId: user.organizationIds[0] ?? null,
    });
    if (this.deps.mail.configured) {
      try {
        await this.deps.mail.send({ to: user.email, subject: 'Lynx password reset', text: resetMailText(secret) });
      } catch (err) {
        this.log.error({ err, email }, `sending the password reset mail to ${email} failed`);
      }
    }
    return resetRequestAnswer;
  }

  /** `PUT /api/v2/auth/reset_password {password}` with the reset token as credentials. */
  async complete(creds: RequestCredentials, body: unknown): Promise<MessageResponse> {
    // Not throttled: a reset token has 256 random bits, so guessing is hopeless, while counting
    // these failures would let anyone lock out a shared source address. Failures are still traced.
    const secret = tokenSecretOf(creds);
    const token = secret && secret.length <= 512 ? await this.deps.tokens.findByHash(hashToken(secret)) : null;
    const user = token && token.type === tokenType.reset && tokenAlive(token, this.now()) ? await this.deps.users.get(token.userId) : null;
    if (!token || !user) {
      await this.audit.record({ action: 'failed', objectType: 'user', description: `password reset with an unknown, used or expired reset token from ${creds.ip ?? 'unknown address'}` });
      throw new UnauthorizedError('not a valid password reset token: ask for a new one with POST /api/v2/auth/reset_password');
    }
    // Ends every login session and reset token of the user, this one included.
    const answer = await this.deps.passwords.setFromResetToken(user.id, body);
    // UserPasswordsService traces the change itself.
    this.guard.succeeded(user.email);
    return answer;
  }

  private mayMail(email: string): boolean {
    const now = this.now();
    const recent = (this.sent.get(email) ?? []).filter((t) => t > now - 3600);
    if (recent.length >= mailsPerHour) return false;
    recent.push(now);
    this.sent.set(email, recent);
    if (this.sent.size > 10_000) for (const [key, times] of this.sent) if (times.every((t) => t <= now - 3600)) this.sent.delete(key);
    return true;
  }
}

function resetMailText(token: string): string {
  return [
    'Someone (hopefully you) asked to reset the password of your Lynx account.',
    '',
    `Reset token: ${token}`,
    '',
    'It works once, within one hour: send PUT /api/v2/auth/reset_password with the header',
    `X-API-Key: ${token} and the body {"password": "<new password>"}.`,
    'If you did not ask for this, ignore this mail: your password stays as it is.',
  ].join('\n');
}
