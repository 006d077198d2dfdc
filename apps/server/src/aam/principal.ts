// Who is calling: resolved once per request (REST, tRPC) or per connection (MQTT) by the auth
// service, then passed to every service call.

export interface Principal {
  userId: number;
  email: string;
  roleId: number | null;
  /** Id of the token that authenticated this call (login or API token). */
  tokenId: number;
  /** Effective permission keys (role, narrowed by the token's subset when it has one). */
  permissions: ReadonlySet<string>;
  /** Organizations the user belongs to; `/all` permissions reach their whole subtrees. */
  organizationIds: readonly number[];
  /**
   * Set for principals bound to installations rather than to a user (gateway credentials, spec
   * 1.6): they reach these installations and no others, whatever their organizations or
   * assignments. Only AccessPolicy reads it. Such principals have `userId` 0, which is no user.
   */
  installationIds?: ReadonlySet<number>;
  /**
   * The token carries a `permissions` subset (spec 1.16): it acts within those keys and may not
   * change the account itself (profile, e-mail, two-factor, own password), or a read-only key could
   * take the account over through an e-mail change and a password reset.
   */
  narrowed?: boolean;
}

/** False for principals that are not a user (gateways): they have no profile, password or tokens. */
export function isUser(principal: Principal): boolean {
  return principal.userId > 0;
}

export function hasPermission(principal: Principal, key: string): boolean {
  return principal.permissions.has(key);
}
