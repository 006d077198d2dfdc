// The few reads the tRPC router does not offer (an app version's app.json, a file's bytes) go to
// the REST API with the session token as X-API-Key; failures carry the server's {message}.
import { useCallback } from 'react';
import { useSession } from '../session/session-context.js';
import { tokenOf } from '../session/login-machine.js';
import { RestError } from '../session/rest-auth.js';

export async function restGet(path: string, token: string | null): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(path, { headers: token ? { 'X-API-Key': token } : {} });
  } catch {
    throw new RestError(0, 'The server cannot be reached. Check your connection and try again.');
  }
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`;
    try {
      const body = (await res.json()) as { message?: unknown };
      if (typeof body.message === 'string' && body.message) message = body.message;
    } catch {
      // Not JSON: the status line has to do.
    }
    throw new RestError(res.status, message);
  }
  return res;
}

/** A GET bound to the signed-in session; a 401 ends it like an UNAUTHORIZED tRPC answer does. */
export function useRestGet(): (path: string) => Promise<Response> {
  const { state, dispatch } = useSession();
  const token = tokenOf(state);
  return useCallback(
    async (path: string) => {
      try {
        return await restGet(path, token);
      } catch (err) {
        if (err instanceof RestError && err.status === 401) dispatch({ type: 'expired' });
        throw err;
      }
    },
    [token, dispatch],
  );
}

/** Saves a response body under the given name through a temporary object URL. */
export async function saveResponse(res: Response, name: string): Promise<void> {
  const url = URL.createObjectURL(await res.blob());
  try {
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
  } finally {
    // The click has started the download; the URL is not needed after this tick.
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }
}
