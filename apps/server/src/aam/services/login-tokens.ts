// Kinds of ApiToken rows (the `type` column). Login and API tokens are full credentials; the
// others come out of a login that is not finished, and authenticate only where named (see
// AuthService): a pending two-factor login, a password reset, a login that must change the password.

export const tokenType = {
  login: 'login',
  api: 'api',
  /** POST /auth succeeded for a user with two-factor: good for PUT /auth {challenge} for 5 minutes. */
  twoFactor: '2fa',
  /** Sent by e-mail: good for PUT /auth/reset_password once, for an hour. */
  reset: 'reset',
  /** A login whose password is forced or too old: good for reading yourself and changing it. */
  passwordChange: 'password_change',
} as const;

/** Types that authenticate nothing on their own (refused by MQTT and by every route not naming them). */
export const restrictedTokenTypes: readonly string[] = [tokenType.twoFactor, tokenType.reset, tokenType.passwordChange];

/** Everything a password opened: a new password (own change, reset, admin) ends these. */
export const passwordSessionTypes: readonly string[] = [tokenType.login, ...restrictedTokenTypes];

export const twoFactorTokenSeconds = 5 * 60;
export const resetTokenSeconds = 60 * 60;
