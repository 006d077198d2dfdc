import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { askControlSocket, ControlRequestError, controlSocketPath, startControlSocket } from './control-socket.js';

const log = { warn: () => {}, error: () => {} };
let dir: string | undefined;
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(process.platform === 'win32')('control socket', () => {
  it('answers one JSON line per request, is private, and is gone after close', async () => {
    dir = await mkdtemp(join(tmpdir(), 'lynx-control-'));
    // Nothing listens yet; a stale regular file at the path reads the same.
    expect(await askControlSocket(dir, { op: 'ping' })).toBeNull();
    await writeFile(controlSocketPath(dir), '');
    expect(await askControlSocket(dir, { op: 'ping' })).toBeNull();

    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    const socket = await startControlSocket(
      dir,
      async (req) => {
        if (req.op === 'ping') return { ok: true, pong: 1 };
        if (req.op === 'slow') {
          await slow;
          return { ok: true, done: true };
        }
        if (req.op === 'boom') throw new Error('exploded');
        return { ok: false, message: `unknown op ${req.op}` };
      },
      log,
    );
    expect((await stat(controlSocketPath(dir))).mode & 0o777).toBe(0o600);
    expect(await askControlSocket(dir, { op: 'ping' })).toEqual({ ok: true, pong: 1 });
    await expect(askControlSocket(dir, { op: 'nope' })).rejects.toThrow(new ControlRequestError('unknown op nope'));
    await expect(askControlSocket(dir, { op: 'boom' })).rejects.toThrow('exploded');

    // close() waits for the request being answered.
    const pending = askControlSocket(dir, { op: 'slow' });
    await new Promise((r) => setTimeout(r, 50));
    const closed = socket.close();
    release();
    expect(await pending).toEqual({ ok: true, done: true });
    await closed;
    await expect(stat(controlSocketPath(dir))).rejects.toThrow();
    expect(await askControlSocket(dir, { op: 'ping' })).toBeNull();
  });
});
