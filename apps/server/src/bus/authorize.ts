// The broker ACL (spec 3.4): the first topic level is an installation's client id, and the
// principal's scopes (resolved once at connect) decide. Pure functions, so the per-message cost is
// a string scan and a Set lookup.
import type { InstallationRef, InstallationScope, MqttAccessService, MqttPrincipal } from '../aam/access.js';

export type Denial = { ok: false; reason: string };
export type PublishDecision = { ok: true; installation: InstallationRef; relativeTopic: string } | Denial;
export type SubscribeDecision = { ok: true } | Denial;

type InstallationIndex = Pick<MqttAccessService, 'installationByClientId'>;

/**
 * Client id from `<client_id>/<rest>`, or undefined. Leading zeros are refused: `034/x` is another
 * MQTT topic than `34/x`, so accepting it would store data that `34/#` subscribers never see.
 */
export function leadingClientId(topic: string): number | undefined {
  const slash = topic.indexOf('/');
  if (slash <= 0 || slash > 15 || slash === topic.length - 1) return undefined;
  if (slash > 1 && topic.charCodeAt(0) === 48) return undefined;
  let id = 0;
  for (let i = 0; i < slash; i++) {
    const digit = topic.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return undefined;
    id = id * 10 + digit;
  }
  return id;
}

export function scopeIncludes(scope: InstallationScope, clientId: number): boolean {
  return scope.kind === 'all' || scope.clientIds.has(clientId);
}

/** Where a publish may go. `principal` is null for wills persisted by an earlier run (vetted at their connect). */
export function authorizePublishTopic(
  principal: MqttPrincipal | null,
  topic: string,
  index: InstallationIndex,
): PublishDecision {
  // `$` topics belong to the broker ($SYS); clients writing there could spoof broker state.
  if (topic.charCodeAt(0) === 36) return { ok: false, reason: 'reserved $ topic' };
  const clientId = leadingClientId(topic);
  if (clientId === undefined) return { ok: false, reason: 'first topic level is not a client id' };
  const installation = index.installationByClientId(clientId);
  if (!installation) return { ok: false, reason: 'no installation has this client id' };
  if (principal && !scopeIncludes(principal.publish, clientId)) {
    return { ok: false, reason: 'installation outside the publish scope' };
  }
  return { ok: true, installation, relativeTopic: topic.slice(topic.indexOf('/') + 1) };
}

/**
 * A filter starting with `+` or `#` spans installations and needs `broad`; what it then delivers is
 * still limited to the subscribe scope by {@link mayForward}, so `broad` alone never widens reach.
 */
export function authorizeSubscribeFilter(principal: MqttPrincipal, filter: string, index: InstallationIndex): SubscribeDecision {
  const first = filter.charCodeAt(0);
  if (first === 36) return { ok: false, reason: 'reserved $ topic' };
  if (first === 43 || first === 35) {
    return principal.broad ? { ok: true } : { ok: false, reason: 'filter spans installations and the principal lacks broad' };
  }
  const clientId = leadingClientId(filter);
  if (clientId === undefined) return { ok: false, reason: 'first filter level is not a client id' };
  if (!index.installationByClientId(clientId)) return { ok: false, reason: 'no installation has this client id' };
  if (!scopeIncludes(principal.subscribe, clientId)) return { ok: false, reason: 'installation outside the subscribe scope' };
  return { ok: true };
}

/**
 * Checked on every delivery: broad filters match every installation, retained and queued messages
 * are sent long after the SUBSCRIBE, and scopes can shrink while subscriptions stay.
 */
export function mayForward(principal: MqttPrincipal, topic: string): boolean {
  const clientId = leadingClientId(topic);
  return clientId !== undefined && scopeIncludes(principal.subscribe, clientId);
}
