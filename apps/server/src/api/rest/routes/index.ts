import type { FastifyInstance } from 'fastify';
import type { AppServices } from '../../../services.js';
import { registerAuthRoutes } from './auth.js';
import { registerDataRoutes } from './data.js';
import { registerEdgeAppRoutes } from './edge-apps.js';
import { registerEdgeRuntimeRoutes } from './edge-runtime.js';
import { registerFileRoutes } from './files.js';
import { registerGatewayRoutes } from './gateway.js';
import { registerInstallationRoutes } from './installations.js';
import { registerNotificationRoutes } from './notifications.js';
import { registerOrganizationRoutes } from './organizations.js';
import { registerPingRoutes } from './ping.js';
import { registerRoleRoutes } from './roles.js';
import { registerScheduleRoutes } from './schedules.js';
import { registerSearchRoutes } from './search.js';
import { registerTwoFactorRoutes } from './two-factor.js';
import { registerTraceRoutes } from './trace.js';
import { registerUserRoutes } from './user.js';
import { registerXObjectRoutes } from './x-objects.js';

/** Every REST route module; each registers its endpoints on the shared app. */
export function registerRoutes(app: FastifyInstance, services: AppServices): void {
  registerPingRoutes(app);
  registerAuthRoutes(app, services);
  registerUserRoutes(app, services);
  registerTwoFactorRoutes(app, services);
  registerOrganizationRoutes(app, services);
  registerRoleRoutes(app, services);
  registerTraceRoutes(app, services);
  registerDataRoutes(app, services);
  registerInstallationRoutes(app, services);
  registerNotificationRoutes(app, services);
  registerXObjectRoutes(app, services);
  registerGatewayRoutes(app, services);
  registerEdgeAppRoutes(app, services);
  registerEdgeRuntimeRoutes(app, services);
  registerFileRoutes(app, services);
  registerScheduleRoutes(app, services);
  registerSearchRoutes(app, services);
}
