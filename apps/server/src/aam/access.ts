// What the bus needs from the AAM, resolved once per connection and per subscription so the
// message hot path never queries SQL.

export type InstallationScope = { kind: 'all' } | { kind: 'some'; clientIds: ReadonlySet<number> };

export interface MqttPrincipal {
  userId: number;
  /** Token the client authenticated with; revoking it disconnects the client. */
  tokenId: number;
  email: string;
  publish: InstallationScope;
  subscribe: InstallationScope;
  /** May subscribe to filters spanning installations (`#`, `+/obj/#`). */
  broad: boolean;
  /** Set when the client authenticated with a gateway credential (tokenId is then 0). */
  gateway?: { installationId: number; username: string };
}

export interface InstallationRef {
  id: number;
  clientId: number;
}

export type AccessEvent =
  /** A token stopped working: connections authenticated with it must be closed. */
  | { type: 'token-revoked'; tokenId: number }
  /** A user's reach changed (roles, assignments, installations added or removed): recompute. */
  | { type: 'access-changed'; userId: number | null }
  /**
   * A gateway credential stopped working (regenerated, reset, or its installation deleted):
   * connections using it must be closed. `username` null means every credential of the installation.
   */
  | { type: 'gateway-revoked'; installationId: number; username: string | null };

export interface MqttAccessService {
  /**
   * Validates MQTT credentials (spec 3.3: the password is a token; username ignored except
   * `bearer`), or else a gateway's mqtt_username and mqtt_password (spec 1.6).
   */
  authenticateMqtt(username: string | undefined, password: string | undefined): Promise<MqttPrincipal | null>;
  /** Recomputes a principal's scopes (after an access-changed event); null if its token or gateway credential no longer works. */
  refreshPrincipal(principal: MqttPrincipal): Promise<MqttPrincipal | null>;
  /** Maps a client id to its installation from an in-memory index (kept current by the AAM). */
  installationByClientId(clientId: number): InstallationRef | undefined;
  onAccessEvent(listener: (event: AccessEvent) => void): () => void;
}
