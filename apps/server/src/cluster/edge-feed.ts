// Processors run on the node a client published to, so each message is stored once; edge-app
// instances run only on the node owning the `edge-apps` lease. While this node owns it, the
// installation messages processed on the other nodes (client publishes, `evt/...` refreshes made
// through their REST) are handed to the edge runtime alone: storage and notifications saw them
// where they arrived. Messages processed here reach the runtime through the bus as before, and
// the bus leaves them out of this feed, so an app never gets one twice.
import type { BusMessage } from '../processors/types.js';
import type { WorkOwnership } from './leases.js';

export interface RemoteMessageSource {
  onRemoteMessage(handler: (message: BusMessage) => void): () => void;
}

export function feedRemoteMessagesWhileOwning(opts: {
  bus: RemoteMessageSource;
  ownership: WorkOwnership;
  key: string;
  handle: (message: BusMessage) => void;
}): { close(): void } {
  let unsubscribe: (() => void) | undefined;
  const follow = (owned: boolean) => {
    if (owned && !unsubscribe) unsubscribe = opts.bus.onRemoteMessage(opts.handle);
    else if (!owned && unsubscribe) {
      unsubscribe();
      unsubscribe = undefined;
    }
  };
  const stopFollowing = opts.ownership.onChange((key, owned) => {
    if (key === opts.key) follow(owned);
  });
  follow(opts.ownership.owns(opts.key));
  return {
    close() {
      stopFollowing();
      follow(false);
    },
  };
}
