// Login is REST (POST /api/v2/auth with Basic, PUT with the second factor); the token then goes
// to tRPC as X-API-Key. Errors carry the server's {message} so forms show it as it is.
import type { LoginAnswer } from './login-machine.js';

export class RestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(method: string, path: string, init: { token?: string; basic?: string; body?: unknown } = {}): Promise<T> {
  const headers: Record<string, string> = {};
  if (init.token) headers['X-API-Key'] = init.token;
  if (init.basic) headers.Authorization = `Basic ${init.basic}`;
  if (init.body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  } catch {
    throw new RestError(0, 'The server cannot be reached. Check that it is running and try again.');
  }
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON (a proxy error page): fall back to the status line below.
  }
  if (!res.ok) {
    const message = (json as { message?: unknown } | undefined)?.message;
    throw new RestError(res.status, typeof message === 'string' && message ? message : `${res.status} ${res.statusText}`);
  }
  return json as T;
}

/** UTF-8 safe Basic credentials (btoa alone breaks on non-Latin-1 passwords). */
export function basicCredentials(email: string, password: string): string {
  const bytes = new TextEncoder().encode(`${email}:${password}`);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

export const restAuth = {
  login: (email: string, password: string) => call<LoginAnswer>('POST', '/api/v2/auth', { basic: basicCredentials(email, password) }),
  secondFactor: (pendingToken: string, challenge: string) => call<LoginAnswer>('PUT', '/api/v2/auth', { token: pendingToken, body: { challenge } }),
  logout: (token: string) => call<{ message: string }>('DELETE', '/api/v2/auth', { token }),
  enrolTotp: (pendingToken: string) =>
    call<{ secret: string; otpauth_uri: string; recovery_codes: string[] }>('POST', '/api/v2/user/me/security/totp', { token: pendingToken }),
  confirmTotp: (pendingToken: string, code: string) => call<unknown>('PUT', '/api/v2/user/me/security/totp', { token: pendingToken, body: { code } }),
};
