// MQTT topic helpers. Installation topics are `<client_id>/<relative topic>` (spec 4.1); functions
// and the status API use the relative form.

/** Splits `34/obj/x` into {clientId: 34, relative: 'obj/x'}; null when the first level is not a client id. */
export function splitInstallationTopic(topic: string): { clientId: number; relative: string } | null {
  const slash = topic.indexOf('/');
  if (slash <= 0 || slash === topic.length - 1) return null;
  const head = topic.slice(0, slash);
  if (!/^[0-9]{1,15}$/.test(head)) return null;
  return { clientId: Number(head), relative: topic.slice(slash + 1) };
}

export function prefixTopic(clientId: number, relative: string): string {
  return `${clientId}/${relative}`;
}

/** Accepts both topic forms in filters: strips a leading `<clientId>/` when it is this installation's. */
export function toRelativeTopic(clientId: number, topic: string): string {
  const prefix = `${clientId}/`;
  return topic.startsWith(prefix) ? topic.slice(prefix.length) : topic;
}

/** MQTT filter matching with `+` and `#` (MQTT 3.1.1 §4.7). */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    const part = f[i];
    if (part === '#') return i < t.length || (i === t.length && i > 0);
    if (i >= t.length) return false;
    if (part !== '+' && part !== t[i]) return false;
  }
  return f.length === t.length;
}

/** Platform event topics (spec 4.5), relative to the installation. */
export const eventTopics = {
  installation: 'evt/installation/updated',
  devicex: 'evt/devicex/updated',
  functionx: 'evt/functionx/updated',
  schedule: 'evt/schedule/updated',
  edgeApp: 'evt/edge_app/updated',
} as const;
