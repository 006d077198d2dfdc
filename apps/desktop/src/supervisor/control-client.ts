// The server's control socket, seen from the supervisor: the protocol (one JSON line each way) and
// the socket's place are a contract with apps/server/src/backup/control-socket.ts, restated here
// because the supervisor never imports server code.
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';

export function controlSocketPath(dataDir: string): string {
  const dir = resolve(dataDir);
  if (process.platform === 'win32') return `\\\\.\\pipe\\lynx-server-${createHash('sha256').update(dir.toLowerCase()).digest('hex').slice(0, 32)}`;
  return join(dir, 'control.sock');
}

/** Sends one request; resolves with the reply, or null when nothing answered in time. */
export function askControl(dataDir: string, request: { op: string }, timeoutMs: number): Promise<Record<string, unknown> | null> {
  return new Promise((done) => {
    const socket = connect(controlSocketPath(dataDir));
    let buffer = '';
    const finish = (reply: Record<string, unknown> | null) => {
      clearTimeout(timer);
      socket.destroy();
      done(reply);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    socket.setEncoding('utf8');
    socket.once('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      const end = buffer.indexOf('\n');
      if (end < 0) return;
      try {
        finish(JSON.parse(buffer.slice(0, end)) as Record<string, unknown>);
      } catch {
        finish(null);
      }
    });
    socket.once('error', () => finish(null));
    socket.once('close', () => finish(null));
  });
}

/** True when the server accepted a clean shutdown request. */
export async function requestShutdown(dataDir: string, timeoutMs = 2000): Promise<boolean> {
  const reply = await askControl(dataDir, { op: 'shutdown' }, timeoutMs);
  return reply?.ok === true;
}
