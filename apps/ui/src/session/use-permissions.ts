// What the signed-in user may do, from the server's permission map. The UI only hides what is
// not allowed; the server checks every call anyway.
import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../trpc.js';

export interface Permissions {
  loaded: boolean;
  /** Holds exactly this key. */
  has: (key: string) => boolean;
  /** Holds `<base>/all` or `<base>/assigned` (or `<base>` itself). */
  any: (base: string) => boolean;
}

export function permissionsFrom(map: Record<string, boolean> | undefined): Permissions {
  const has = (key: string) => map?.[key] === true;
  return { loaded: map !== undefined, has, any: (base) => has(base) || has(`${base}/all`) || has(`${base}/assigned`) };
}

export function usePermissions(): Permissions {
  const trpc = useTRPC();
  const { data } = useQuery({ ...trpc.permissions.queryOptions(), staleTime: 60_000 });
  return permissionsFrom(data);
}
