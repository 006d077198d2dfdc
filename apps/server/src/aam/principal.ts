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
}

export function hasPermission(principal: Principal, key: string): boolean {
  return principal.permissions.has(key);
}
