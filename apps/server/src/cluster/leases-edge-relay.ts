// Edge-app instances run on the node owning the `edge-apps` lease, but an instance is created or
// changed through whichever node got the request. That node tells its own runtime (which ignores it
// unless it owns the lease) and every other node through the cluster channel, so the owner restarts
// the instance at once.
import type { EdgeRuntimeControl } from '../processors/edge-apps/runtime-control.js';

/** The part of ClusterCacheBus used here. */
export interface ClusterChannel {
  publish(topic: string, body: unknown): void;
  subscribe(topic: string, handler: (body: unknown, fromNode: string) => void): () => void;
}

const topic = 'edge-instance-changed';

export function relayInstanceChanges(local: EdgeRuntimeControl, channel: ClusterChannel): EdgeRuntimeControl & { close(): void } {
  const unsubscribe = channel.subscribe(topic, (body) => {
    const { installationId, instanceId } = (body ?? {}) as { installationId?: unknown; instanceId?: unknown };
    if (Number.isInteger(installationId) && Number.isInteger(instanceId)) local.instanceChanged(installationId as number, instanceId as number);
  });
  return {
    instanceChanged(installationId, instanceId) {
      local.instanceChanged(installationId, instanceId);
      channel.publish(topic, { installationId, instanceId });
    },
    close: unsubscribe,
  };
}
