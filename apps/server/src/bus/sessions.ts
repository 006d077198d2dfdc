// Authenticated connections and their cached principals. The principal is resolved once at CONNECT
// and replaced only when the AAM says access changed, so no publish or delivery waits on the AAM.
import { finished } from 'node:stream';
import type { Client } from 'aedes';
import type { Logger } from 'pino';
import type { AccessEvent, MqttAccessService, MqttPrincipal } from '../aam/access.js';
import type { OrderGate } from './dispatch.js';

export interface Session extends OrderGate {
  readonly client: Client;
  principal: MqttPrincipal;
  /** Bumped per refresh so a slow, older refresh cannot overwrite a newer principal. */
  refreshSeq: number;
  /** Access was withdrawn: whatever is still in flight, including the will, is refused. */
  revoked: boolean;
}

/** A token revoked while its CONNECT was being authenticated must still not get in. */
const revokedMemoryMs = 60_000;
/** Refreshing every connection at once after a global change would flood the AAM store. */
const refreshConcurrency = 16;

export class SessionRegistry {
  private readonly byClient = new WeakMap<Client, Session>();
  private readonly live = new Set<Session>();
  private readonly recentlyRevoked = new Map<number, number>();
  /** Gateway credentials revoked lately, by `user:<username>` or `installation:<id>`. */
  private readonly recentlyRevokedGateways = new Map<string, number>();

  constructor(
    private readonly access: MqttAccessService,
    private readonly logger: Logger,
    /** Drops subscriptions a refreshed principal may no longer hold. */
    private readonly onPrincipalChanged: (session: Session) => void,
  ) {}

  get size(): number {
    return this.live.size;
  }

  get(client: Client): Session | undefined {
    return this.byClient.get(client);
  }

  /** Returns undefined when the token was revoked in the meantime. */
  add(client: Client, principal: MqttPrincipal): Session | undefined {
    if (client.closed) return undefined;
    const revokedAt = principal.gateway ? this.gatewayRevokedAt(principal.gateway) : this.recentlyRevoked.get(principal.tokenId);
    if (revokedAt !== undefined && Date.now() - revokedAt < revokedMemoryMs) return undefined;
    const session: Session = { client, principal, refreshSeq: 0, tail: null, revoked: false };
    this.byClient.set(client, session);
    this.live.add(session);
    // Not aedes' clientDisconnect: that only fires for registered clients, and a client can be
    // dropped between authentication and registration.
    finished(client.conn, () => this.live.delete(session));
    return session;
  }

  handle(event: AccessEvent): Promise<void> {
    if (event.type === 'token-revoked') {
      this.revokeToken(event.tokenId);
      return Promise.resolve();
    }
    if (event.type === 'gateway-revoked') {
      this.revokeGateway(event.installationId, event.username);
      return Promise.resolve();
    }
    return this.refresh(event.userId);
  }

  /** Closes connections of one gateway credential, or of every credential of the installation (username null). */
  revokeGateway(installationId: number, username: string | null): number {
    const now = Date.now();
    for (const [key, at] of this.recentlyRevokedGateways) if (now - at >= revokedMemoryMs) this.recentlyRevokedGateways.delete(key);
    this.recentlyRevokedGateways.set(username === null ? `installation:${installationId}` : `user:${username}`, now);
    let closed = 0;
    for (const session of [...this.live]) {
      const gateway = session.principal.gateway;
      if (!gateway || gateway.installationId !== installationId || (username !== null && gateway.username !== username)) continue;
      this.disconnect(session, 'gateway credentials revoked', true);
      closed++;
    }
    return closed;
  }

  revokeToken(tokenId: number): number {
    const now = Date.now();
    for (const [id, at] of this.recentlyRevoked) if (now - at >= revokedMemoryMs) this.recentlyRevoked.delete(id);
    this.recentlyRevoked.set(tokenId, now);
    let closed = 0;
    for (const session of [...this.live]) {
      if (session.principal.tokenId !== tokenId) continue;
      this.disconnect(session, 'token revoked', true);
      closed++;
    }
    return closed;
  }

  private gatewayRevokedAt(gateway: { installationId: number; username: string }): number | undefined {
    return this.recentlyRevokedGateways.get(`user:${gateway.username}`) ?? this.recentlyRevokedGateways.get(`installation:${gateway.installationId}`);
  }

  async refresh(userId: number | null): Promise<void> {
    const affected = [...this.live].filter((s) => userId === null || s.principal.userId === userId);
    let next = 0;
    const worker = async () => {
      while (next < affected.length) await this.refreshOne(affected[next++]);
    };
    await Promise.all(Array.from({ length: Math.min(refreshConcurrency, affected.length) }, worker));
  }

  /** Resolves once every client ran aedes' close, which is when its will has been handed on. */
  async disconnectAll(): Promise<void> {
    await Promise.all([...this.live].map((session) => new Promise<void>((resolve) => this.disconnect(session, 'broker closing', false, resolve))));
  }

  private async refreshOne(session: Session): Promise<void> {
    if (!this.live.has(session)) return;
    const seq = ++session.refreshSeq;
    let principal: MqttPrincipal | null;
    try {
      principal = await this.access.refreshPrincipal(session.principal);
    } catch (err) {
      // Fail closed: keeping a principal whose access was just narrowed would be the worse error,
      // and the client's reconnect re-authenticates from scratch.
      this.logger.error({ err, clientId: session.client.id, userId: session.principal.userId }, 'mqtt principal refresh failed');
      principal = null;
    }
    if (seq !== session.refreshSeq || !this.live.has(session)) return;
    if (!principal) {
      this.disconnect(session, 'access withdrawn', true);
      return;
    }
    session.principal = principal;
    this.onPrincipalChanged(session);
  }

  private disconnect(session: Session, reason: string, revoke: boolean, closed?: () => void): void {
    this.live.delete(session);
    if (revoke) session.revoked = true;
    // At shutdown every client goes; one line each would bury the shutdown log.
    this.logger[revoke ? 'info' : 'debug']({ clientId: session.client.id, userId: session.principal.userId, reason }, 'mqtt client disconnected');
    session.client.close(closed);
  }
}
