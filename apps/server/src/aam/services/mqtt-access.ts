// The AAM side of the MQTT bus: turns a token (or a gateway credential) into the sets of client ids
// a connection may publish and subscribe to, once per connection, so the broker's per-message
// checks are set lookups.
import type { AccessEvent, InstallationScope, MqttAccessService, MqttPrincipal } from '../access.js';
import type { AccessEventHub } from '../access-events.js';
import { noAudit, type Audit } from '../audit.js';
import type { InstallationIndex } from '../installation-index.js';
import type { Principal } from '../principal.js';
import type { AccessPolicy } from './access-policy.js';
import type { AuthService } from './auth.js';
import type { GatewayAuthentication, GatewayCredentialsService } from './gateway-credentials.js';

export class MqttAccess implements MqttAccessService {
  constructor(
    private readonly auth: AuthService,
    private readonly policy: AccessPolicy,
    private readonly index: InstallationIndex,
    private readonly hub: AccessEventHub,
    private readonly gateways?: Pick<GatewayCredentialsService, 'authenticate' | 'byUsername'>,
    private readonly audit: Audit = noAudit,
    private readonly nowMs: () => number = () => Date.now(),
  ) {}

  /** Last trace time of a refused user name: a device retrying a dead key every second is one entry a minute. */
  private readonly refusalsTraced = new Map<string, number>();

  async authenticateMqtt(username: string | undefined, password: string | undefined): Promise<MqttPrincipal | null> {
    // Spec 3.3: the username is free-form; `bearer` marks an OAuth2 token, which is a token here too.
    if (!password) return null;
    const principal = await this.auth.authenticateToken(password, 'mqtt');
    if (principal) return this.toMqtt(principal);
    // Spec 1.6: a gateway connects with its mqtt_username and mqtt_password.
    const gateway = username && this.gateways ? await this.gateways.authenticate(username, password, 'mqtt') : null;
    if (gateway) return this.gatewayToMqtt(gateway);
    await this.traceRefusal(username ?? '');
    return null;
  }

  private async traceRefusal(username: string): Promise<void> {
    const now = this.nowMs();
    const last = this.refusalsTraced.get(username);
    if (last !== undefined && now - last < 60_000) return;
    if (this.refusalsTraced.size >= 10_000) this.refusalsTraced.clear();
    this.refusalsTraced.set(username, now);
    const shown = JSON.stringify(username.slice(0, 100));
    await this.audit.record({ action: 'failed', objectType: 'mqtt', description: `MQTT connect refused for user name ${shown}: unknown, expired or revoked key` });
  }

  async refreshPrincipal(current: MqttPrincipal): Promise<MqttPrincipal | null> {
    if (current.gateway) {
      const gateway = await this.gateways?.byUsername(current.gateway.username);
      return gateway ? this.gatewayToMqtt(gateway) : null;
    }
    const principal = await this.auth.principalForTokenId(current.tokenId);
    return principal ? this.toMqtt(principal) : null;
  }

  installationByClientId(clientId: number) {
    const inst = this.index.byClientId(clientId);
    return inst ? { id: inst.id, clientId: inst.clientId } : undefined;
  }

  onAccessEvent(listener: (event: AccessEvent) => void): () => void {
    return this.hub.on(listener);
  }

  private scope(p: Principal, family: string): InstallationScope {
    const reach = this.policy.reach(p, family);
    if (reach.kind === 'all') return reach;
    const clientIds = new Set<number>();
    for (const id of reach.ids) {
      const inst = this.index.byId(id);
      if (inst) clientIds.add(inst.clientId);
    }
    return { kind: 'some', clientIds };
  }

  private toMqtt(p: Principal): MqttPrincipal {
    return {
      userId: p.userId,
      tokenId: p.tokenId,
      email: p.email,
      publish: this.scope(p, 'mqtt/publish'),
      subscribe: this.scope(p, 'mqtt/subscribe'),
      broad: p.permissions.has('mqtt/subscribe/broad'),
    };
  }

  /** Scopes come from the policy as for users: the installation-bound principal reaches its own only. */
  private gatewayToMqtt(g: GatewayAuthentication): MqttPrincipal {
    return { ...this.toMqtt(g.principal), broad: false, gateway: { installationId: g.installationId, username: g.username } };
  }
}
