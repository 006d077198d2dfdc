// MQTT over WebSocket at `/mqtt` on the HTTP server of the REST API (spec 3.3). That server belongs
// to the API, so this only claims upgrade requests for its own path and leaves every other one to
// whichever listener owns it.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, createWebSocketStream } from 'ws';

export interface WebSocketGateway {
  /** Takes the upgrade when `req` is for `path`; returns false (socket untouched) otherwise. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, path?: string): boolean;
  /** Adds an `upgrade` listener for `path`; returns a function that removes it. */
  attach(server: Server, path?: string): () => void;
  close(): Promise<void>;
}

export const defaultWebSocketPath = '/mqtt';

export function createWebSocketGateway(opts: {
  handle: (stream: Duplex, req: IncomingMessage) => void;
  maxPayload: number;
}): WebSocketGateway {
  const wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxPayload, clientTracking: true });
  const detachers = new Set<() => void>();
  let closed = false;

  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, path = defaultWebSocketPath): boolean {
    if (pathOf(req.url) !== path) return false;
    if (closed) {
      socket.destroy();
      return true;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const stream = createWebSocketStream(ws);
      opts.handle(stream, req);
    });
    return true;
  }

  return {
    handleUpgrade,
    attach(server, path = defaultWebSocketPath) {
      const listener = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        handleUpgrade(req, socket, head, path);
      };
      server.on('upgrade', listener);
      const detach = () => {
        server.off('upgrade', listener);
        detachers.delete(detach);
      };
      detachers.add(detach);
      return detach;
    },
    async close() {
      closed = true;
      for (const detach of [...detachers]) detach();
      // ws 8 leaves open connections alone on close(); the broker must not wait on them.
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

function pathOf(url: string | undefined): string {
  if (!url) return '';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
