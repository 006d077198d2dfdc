// Holds the login state for the whole app and wires the API client to it: every call carries the
// current token, and an UNAUTHORIZED answer anywhere ends the session with a notice.
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useReducer, useRef, type ReactNode } from 'react';
import { createClient, errorCode, TRPCProvider } from '../trpc.js';
import { loginTransition, tokenOf, type LoginEvent, type LoginState } from './login-machine.js';
import { restAuth } from './rest-auth.js';
import { loadLoginState, saveLoginState } from './session-storage.js';

interface Session {
  state: LoginState;
  dispatch: (event: LoginEvent) => void;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

/** For subscriptions, whose errors bypass the query cache: ends the session on UNAUTHORIZED. */
export function useExpireOnUnauthorized(): (error: unknown) => void {
  const { dispatch } = useSession();
  return useCallback((error: unknown) => {
    if (errorCode(error) === 'UNAUTHORIZED') dispatch({ type: 'expired' });
  }, [dispatch]);
}

export function SessionProvider({ children, initial }: { children: ReactNode; initial?: LoginState }) {
  const [state, dispatch] = useReducer(loginTransition, initial ?? null, (i) => i ?? loadLoginState());
  const tokenRef = useRef<string | null>(tokenOf(state));
  tokenRef.current = tokenOf(state);
  const dispatchRef = useRef(dispatch);
  dispatchRef.current = dispatch;

  useEffect(() => saveLoginState(state), [state]);

  const queryClient = useMemo(() => {
    const onError = (error: unknown) => {
      if (errorCode(error) === 'UNAUTHORIZED') dispatchRef.current({ type: 'expired' });
    };
    return new QueryClient({
      queryCache: new QueryCache({ onError }),
      mutationCache: new MutationCache({ onError }),
      defaultOptions: {
        queries: {
          staleTime: 5_000,
          refetchOnWindowFocus: false,
          // Retrying cannot fix a refused or invalid request; only transient failures are retried.
          retry: (count, error) => !['UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'BAD_REQUEST'].includes(errorCode(error) ?? '') && count < 2,
        },
      },
    });
  }, []);
  const trpcClient = useMemo(() => createClient(() => tokenRef.current), []);

  // Nothing from one session may show in the next (another user may sign in at the same desk).
  const signedIn = state.step === 'signed-in';
  useEffect(() => {
    if (!signedIn) queryClient.clear();
  }, [signedIn, queryClient]);

  const signOut = useCallback(async () => {
    const token = tokenRef.current;
    dispatch({ type: 'signed-out' });
    // Revoking the token server-side is best effort: the local session ends either way.
    if (token) await restAuth.logout(token).catch(() => undefined);
  }, []);

  const session = useMemo(() => ({ state, dispatch, signOut }), [state, signOut]);
  return (
    <SessionContext.Provider value={session}>
      <QueryClientProvider client={queryClient}>
        <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
          {children}
        </TRPCProvider>
      </QueryClientProvider>
    </SessionContext.Provider>
  );
}
