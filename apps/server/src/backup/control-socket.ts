// The running server's control socket: a Unix socket in the data folder (a named pipe derived from
// its path on Windows). Whoever may open the data folder may ask; the folder's permissions are the
// authorization, and the socket itself is 0600. Protocol: one JSON request line, one JSON reply line.
import { createHash } from 'node:crypto';
import { chmod, unlink } from 'node:fs/promises';
import { connect, createServer, type Socket } from 'node:net';
import { join, resolve } from 'node:path';

export type ControlRequest = { op: string } & Record<string, unknown>;
export type ControlReply = { ok: true } & Record<string, unknown>;
export type ControlHandler = (request: ControlRequest) => Promise<Record<string, unknown>>;

const MAX_REQUEST = 64 * 1024;
/** sun_path holds 108 bytes on Linux, 104 on macOS, terminator included. */
const MAX_UNIX_PATH = 103;

type LogFn = (obj: object, msg?: string) => void;

export function controlSocketPath(dataDir: string): string {
  const dir = resolve(dataDir);
  if (process.platform === 'win32') {
    return `\\\\.\\pipe\\lynx-server-${createHash('sha256').update(dir.toLowerCase()).digest('hex').slice(0, 32)}`;
  }
  return join(dir, 'control.sock');
}

export interface ControlSocket {
  /** Stops accepting, waits for the requests being answered, removes the socket file. */
  close(): Promise<void>;
}

/**
 * Listens on the data folder's control socket. Call only while holding the data folder (after
 * the stores are open): a socket file left by a crashed server is replaced.
 */
export async function startControlSocket(dataDir: string, handle: ControlHandler, log: { warn: LogFn; error: LogFn }): Promise<ControlSocket> {
  const path = controlSocketPath(dataDir);
  const unix = process.platform !== 'win32';
  if (unix && Buffer.byteLength(path) > MAX_UNIX_PATH) {
    log.warn({ path }, 'data folder path too long for a control socket: backups while running are unavailable');
    return { close: async () => {} };
  }
  if (unix) await unlink(path).catch(() => {});
  const inFlight = new Set<Promise<void>>();
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffered = '';
    let answered = false;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      if (answered) return;
      buffered += chunk;
      const nl = buffered.indexOf('\n');
      if (nl < 0) {
        if (buffered.length > MAX_REQUEST) reply(socket, { ok: false, message: 'request too long' });
        return;
      }
      answered = true;
      const work = answer(buffered.slice(0, nl), handle, log).then((r) => reply(socket, r));
      inFlight.add(work);
      void work.finally(() => inFlight.delete(work));
    });
  });
  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(path, () => {
      server.off('error', rej);
      res();
    });
  });
  server.on('error', (err) => log.error({ err }, 'control socket failed'));
  if (unix) await chmod(path, 0o600);
  let closing: Promise<void> | undefined;
  return {
    close: () =>
      (closing ??= (async () => {
        const closed = new Promise<void>((res) => server.close(() => res()));
        await Promise.allSettled([...inFlight]);
        for (const s of sockets) s.destroy();
        await closed;
        if (unix) await unlink(path).catch(() => {});
      })()),
  };
}

async function answer(line: string, handle: ControlHandler, log: { error: LogFn }): Promise<Record<string, unknown>> {
  let request: unknown;
  try {
    request = JSON.parse(line);
  } catch {
    return { ok: false, message: 'request is not JSON' };
  }
  if (!request || typeof request !== 'object' || typeof (request as { op?: unknown }).op !== 'string') {
    return { ok: false, message: 'request needs an "op"' };
  }
  try {
    return await handle(request as ControlRequest);
  } catch (err) {
    log.error({ err, op: (request as ControlRequest).op }, 'control request failed');
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
}

function reply(socket: Socket, body: Record<string, unknown>): void {
  if (!socket.writable) return;
  socket.end(`${JSON.stringify(body)}\n`);
}

/** The server refused or failed the request; `message` is its reason. */
export class ControlRequestError extends Error {}

/**
 * Sends one request to the server running on `dataDir`. Null when nothing listens there (no
 * socket file, or a stale one); throws ControlRequestError with the server's message on {ok:false}.
 */
export function askControlSocket(dataDir: string, request: ControlRequest): Promise<ControlReply | null> {
  const path = controlSocketPath(dataDir);
  return new Promise((res, rej) => {
    let connected = false;
    let buffered = '';
    const socket = connect(path);
    socket.setEncoding('utf8');
    socket.once('connect', () => {
      connected = true;
      socket.write(`${JSON.stringify(request)}\n`);
    });
    socket.on('data', (chunk: string) => {
      buffered += chunk;
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (!connected && (err.code === 'ENOENT' || err.code === 'ECONNREFUSED' || err.code === 'ENOTSOCK')) res(null);
      else rej(new Error(`control socket ${path}: ${err.message}`));
    });
    socket.on('close', () => {
      if (!connected) return;
      const line = buffered.split('\n')[0];
      let body: { ok?: unknown; message?: unknown };
      try {
        body = JSON.parse(line);
      } catch {
        rej(new Error('the server closed the control connection without an answer'));
        return;
      }
      if (body.ok === true) res(body as ControlReply);
      else rej(new ControlRequestError(typeof body.message === 'string' ? body.message : 'the server refused the request'));
    });
  });
}
