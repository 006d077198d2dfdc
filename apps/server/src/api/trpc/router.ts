import { health } from './procedures/health.js';
import { ingestStats } from './procedures/ingest-stats.js';
import { listDevices } from './procedures/list-devices.js';
import { listFunctions } from './procedures/list-functions.js';
import { listInstallations } from './procedures/list-installations.js';
import { me } from './procedures/me.js';
import { status } from './procedures/status.js';
import { router } from './trpc.js';

export const appRouter = router({
  health,
  me,
  installations: router({ list: listInstallations }),
  devices: router({ list: listDevices }),
  functions: router({ list: listFunctions }),
  data: router({ status }),
  ingest: router({ stats: ingestStats }),
});

export type AppRouter = typeof appRouter;
