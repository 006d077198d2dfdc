// Errors across the process boundary. Electron's ipcRenderer.invoke turns an error thrown in the main
// process into a generic Error("Error invoking remote method ...") and contextBridge drops custom
// properties, so errors travel as plain data and are turned back into DesktopError on arrival.
import type { DesktopApi } from './channels.js';

export interface SerializedError {
  name: string;
  message: string;
  code?: string;
}

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: SerializedError };

export class DesktopError extends Error {
  readonly code: string | undefined;
  constructor(error: SerializedError) {
    super(error.message);
    this.name = error.name;
    this.code = error.code;
  }
}

/** Thrown by the handlers themselves: bad input (ValidationError) or an untrusted sender (AccessError). */
export class IpcInputError extends Error {
  readonly code: string;
  constructor(message: string, code: 'INVALID_INPUT' | 'FORBIDDEN_SENDER' = 'INVALID_INPUT') {
    super(message);
    this.name = code === 'FORBIDDEN_SENDER' ? 'AccessError' : 'ValidationError';
    this.code = code;
  }
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return {
      name: err.name || 'Error',
      message: err.message,
      ...(typeof code === 'string' || typeof code === 'number' ? { code: String(code) } : {}),
    };
  }
  return { name: 'Error', message: typeof err === 'string' ? err : 'unknown error' };
}

export async function toEnvelope<T>(run: () => T | Promise<T>): Promise<Envelope<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (err) {
    return { ok: false, error: serializeError(err) };
  }
}

export function isEnvelope(value: unknown): value is Envelope<unknown> {
  if (typeof value !== 'object' || value === null || !('ok' in value)) return false;
  const v = value as { ok: unknown; error?: unknown };
  return v.ok === true || (v.ok === false && typeof v.error === 'object' && v.error !== null);
}

export function unwrap<T>(envelope: unknown): T {
  if (!isEnvelope(envelope)) throw new DesktopError({ name: 'ProtocolError', message: 'the main process sent an unexpected answer', code: 'BAD_ENVELOPE' });
  if (envelope.ok) return envelope.value as T;
  throw new DesktopError(envelope.error);
}

type Bridged<F> = F extends (...args: infer A) => Promise<infer R> ? (...args: A) => Promise<Envelope<R>> : F;
/** The shape exposed through contextBridge: the same methods, answering envelopes instead of rejecting. */
export type DesktopBridge = { [K in keyof DesktopApi]: Bridged<DesktopApi[K]> };

const synchronous = new Set<keyof DesktopApi>(['onStatus']);

/** Preload side: turns rejections into envelopes, because contextBridge would strip name and code. */
export function toBridge(api: DesktopApi): DesktopBridge {
  const bridge: Record<string, unknown> = {};
  for (const key of Object.keys(api) as (keyof DesktopApi)[]) {
    const fn = api[key] as (...args: unknown[]) => unknown;
    bridge[key] = synchronous.has(key) ? fn : (...args: unknown[]) => toEnvelope(() => fn(...args));
  }
  return bridge as DesktopBridge;
}

/** Renderer side: back to a DesktopApi whose failures are DesktopError instances of this world. */
export function fromBridge(bridge: DesktopBridge): DesktopApi {
  const api: Record<string, unknown> = {};
  for (const key of Object.keys(bridge) as (keyof DesktopApi)[]) {
    const fn = bridge[key] as (...args: unknown[]) => unknown;
    api[key] = synchronous.has(key) ? fn : async (...args: unknown[]) => unwrap(await fn(...args));
  }
  return api as unknown as DesktopApi;
}
