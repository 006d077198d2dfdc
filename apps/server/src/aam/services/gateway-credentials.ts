// Gateway credentials (spec 1.6, 3.1 "Basic gateway", 3.3, 3.4): one per installation, shown once,
// stored as a hash. They authenticate an edge client on MQTT (mqtt_username/mqtt_password) and on
// REST (Basic), as a principal bound to that one installation (see AccessPolicy) with the fixed
// `gatewayPermissions`. Regenerating or resetting revokes the previous credential at once: REST
// looks it up per request, MQTT connections are closed through the hub.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { gatewayPermissions, type GatewayInformation, type MessageResponse } from '@lynx/shared';
import type { AccessEventHub } from '../access-events.js';
import { noAudit, type Audit } from '../audit.js';
import { BadRequestError, NotFoundError } from '../errors.js';
import type { InstallationIndex } from '../installation-index.js';
import type { Principal } from '../principal.js';
import { GatewayCredentialsRepository } from '../repositories/gateway-credentials.js';
import { InstallationsRepository } from '../repositories/installations.js';
import type { AamDb } from '../store/open-store.js';
import type { AccessPolicy } from './access-policy.js';
import { hashToken } from './secrets.js';

export interface GatewayCredentialsDeps {
  db: AamDb;
  index: InstallationIndex;
  policy: AccessPolicy;
  hub: AccessEventHub;
  audit?: Audit;
  /** Port of the MQTT TCP listener, as bound (known once the bus is up, hence a function). */
  mqttPort: () => number;
  now?: () => number;
}

/**
 * Where the caller reached this server. There is no public-URL setting: `api`/`aam` are the
 * request's own origin and `mqtt_broker` its host name with the MQTT port, which is what a gateway
 * set up from the same network (or through a proxy keeping the Host header) can reach.
 */
export interface RequestOrigin {
  protocol: string;
  /** The Host header, `name[:port]`. */
  host: string | undefined;
}

export interface GatewayAuthentication {
  principal: Principal;
  installationId: number;
  username: string;
}

const family = 'gateway/reset/password';
/** Usernames this service hands out; anything else is not looked up at all. */
const usernamePattern = /^gw-[0-9]{1,15}-[0-9a-f]{8}$/;
// A host name, IPv4 or bracketed IPv6 address, optionally with a port: nothing that could smuggle
// a path, credentials or a second URL into the configuration a gateway is given.
const hostPattern = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252}))(?::([0-9]{1,5}))?$/;
const gatewayPermissionSet: ReadonlySet<string> = new Set(gatewayPermissions);

function newGatewayPassword(): string {
  // 256 bits in hex: the edge client's setup page keeps only [A-Za-z0-9:_+.@-] of a password.
  return randomBytes(32).toString('hex');
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

export class GatewayCredentialsService {
  private readonly repo: GatewayCredentialsRepository;
  private readonly installations: InstallationsRepository;
  private readonly audit: Audit;
  private readonly now: () => number;

  constructor(private readonly deps: GatewayCredentialsDeps) {
    this.repo = new GatewayCredentialsRepository(deps.db);
    this.installations = new InstallationsRepository(deps.db);
    this.audit = deps.audit ?? noAudit;
    this.now = deps.now ?? (() => Math.floor(Date.now() / 1000));
  }

  /**
   * `POST /gateway/credentials/{installation_id}`: a new credential in place of any previous one,
   * which stops working now. The password is in this response only.
   */
  async issue(p: Principal, installationId: number, origin: RequestOrigin): Promise<GatewayInformation> {
    const inst = this.deps.policy.require(p, family, installationId);
    const endpoint = this.endpoint(origin);
    const [info] = await this.installations.infos([installationId]);
    if (!info) throw new NotFoundError(`installation ${installationId} not found`);
    const username = `gw-${inst.clientId}-${randomBytes(4).toString('hex')}`;
    const password = newGatewayPassword();
    const { previous, installationGone } = await this.repo.replace({ installationId, username, passwordHash: hashToken(password), created: this.now() });
    if (installationGone) throw new NotFoundError(`installation ${installationId} not found`);
    if (previous) this.deps.hub.emit({ type: 'gateway-revoked', installationId, username: previous });
    await this.audit.record({
      action: 'create',
      objectType: 'gateway',
      objectId: installationId,
      installationId,
      organizationId: inst.organizationId,
      description: previous ? `gateway credentials regenerated (${username}); ${previous} revoked` : `gateway credentials created (${username})`,
    });
    return {
      client_id: inst.clientId,
      installation_id: installationId,
      api: endpoint.url,
      aam: endpoint.url,
      mqtt_broker: `${endpoint.hostname}:${this.deps.mqttPort()}`,
      mqtt_username: username,
      mqtt_password: password,
      mqtt_client_id: `edge-${inst.clientId}`,
      timezone: info.timezone,
    };
  }

  /** `POST /gateway/reset/{installation_id}`: revokes the credential without issuing another. */
  async reset(p: Principal, installationId: number): Promise<MessageResponse> {
    const inst = this.deps.policy.require(p, family, installationId);
    const previous = await this.repo.delete(installationId);
    if (!previous) return { message: `installation ${installationId} has no gateway credentials` };
    this.deps.hub.emit({ type: 'gateway-revoked', installationId, username: previous });
    await this.audit.record({
      action: 'delete',
      objectType: 'gateway',
      objectId: installationId,
      installationId,
      organizationId: inst.organizationId,
      description: `gateway credentials reset (${previous} revoked)`,
    });
    return { message: `gateway credentials of installation ${installationId} reset` };
  }

  /**
   * Checks a gateway's username and password (MQTT CONNECT or REST Basic). Null when the username
   * is not a gateway's or the password is wrong; the latter is audited, as is an MQTT connect.
   */
  async authenticate(username: string, password: string, transport: 'mqtt' | 'rest'): Promise<GatewayAuthentication | null> {
    if (!usernamePattern.test(username) || !password || password.length > 512) return null;
    const record = await this.repo.findByUsername(username);
    if (!record) return null;
    const inst = this.deps.index.byId(record.installationId);
    if (!inst) return null;
    const scope = { objectType: 'gateway', objectId: inst.id, installationId: inst.id, organizationId: inst.organizationId, userId: 0 } as const;
    if (!sameHash(record.passwordHash, hashToken(password))) {
      await this.audit.record({ ...scope, action: 'failed', description: `gateway ${username}: wrong password (${transport})` });
      return null;
    }
    // REST authenticates every request; one entry per request would bury the trace.
    if (transport === 'mqtt') await this.audit.record({ ...scope, action: 'auth', description: `gateway ${username} connected (mqtt)` });
    return { principal: this.principal(inst.id), installationId: inst.id, username };
  }

  /** Re-reads a credential (refresh of cached MQTT access); null once it was revoked or its installation is gone. */
  async byUsername(username: string): Promise<GatewayAuthentication | null> {
    if (!usernamePattern.test(username)) return null;
    const record = await this.repo.findByUsername(username);
    if (!record || !this.deps.index.byId(record.installationId)) return null;
    return { principal: this.principal(record.installationId), installationId: record.installationId, username };
  }

  /**
   * Called after an installation was deleted: its credential went with it (cascade), and clients
   * still connected with it are told to go now rather than at the next access refresh.
   */
  installationDeleted(installationId: number): void {
    this.deps.hub.emit({ type: 'gateway-revoked', installationId, username: null });
  }

  private principal(installationId: number): Principal {
    return {
      userId: 0,
      email: '',
      roleId: null,
      tokenId: 0,
      permissions: gatewayPermissionSet,
      organizationIds: [],
      installationIds: new Set([installationId]),
    };
  }

  private endpoint(origin: RequestOrigin): { url: string; hostname: string } {
    const protocol = origin.protocol === 'https' ? 'https' : 'http';
    const match = hostPattern.exec(origin.host?.trim() ?? '');
    if (!match) throw new BadRequestError('cannot tell the address gateways should use: the request has no valid Host header');
    const port = match[2] === undefined ? undefined : Number(match[2]);
    if (port !== undefined && (port < 1 || port > 65535)) throw new BadRequestError(`invalid port ${match[2]} in the Host header`);
    return { url: `${protocol}://${match[0]}`, hostname: match[1] };
  }
}
