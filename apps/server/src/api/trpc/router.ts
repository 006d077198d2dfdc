import { changeOwnPassword } from './procedures/change-own-password.js';
import { createOrganization } from './procedures/create-organization.js';
import { createGatewayCredentials } from './procedures/create-gateway-credentials.js';
import { createRole } from './procedures/create-role.js';
import { createUser } from './procedures/create-user.js';
import { deleteOrganization } from './procedures/delete-organization.js';
import { deleteRole } from './procedures/delete-role.js';
import { deleteUser } from './procedures/delete-user.js';
import { forcePasswordReset } from './procedures/force-password-reset.js';
import { getOrganization } from './procedures/get-organization.js';
import { getRole } from './procedures/get-role.js';
import { getUser } from './procedures/get-user.js';
import { health } from './procedures/health.js';
import { ingestStats } from './procedures/ingest-stats.js';
import { listDevices } from './procedures/list-devices.js';
import { listFunctions } from './procedures/list-functions.js';
import { listInstallations } from './procedures/list-installations.js';
import { listOrganizations } from './procedures/list-organizations.js';
import { listRoles } from './procedures/list-roles.js';
import { listTrace } from './procedures/list-trace.js';
import { listUsers } from './procedures/list-users.js';
import { me } from './procedures/me.js';
import { organizationTree } from './procedures/organization-tree.js';
import { permissions } from './procedures/permissions.js';
import { resetGatewayCredentials } from './procedures/reset-gateway-credentials.js';
import { setUserPassword } from './procedures/set-user-password.js';
import { status } from './procedures/status.js';
import { updateMe } from './procedures/update-me.js';
import { updateOrganization } from './procedures/update-organization.js';
import { updateRole } from './procedures/update-role.js';
import { updateUser } from './procedures/update-user.js';
import { totpConfirm } from './procedures/totp-confirm.js';
import { totpDisable } from './procedures/totp-disable.js';
import { totpEnroll } from './procedures/totp-enroll.js';
import { totpStatus } from './procedures/totp-status.js';
import { router } from './trpc.js';

export const appRouter = router({
  health,
  me,
  updateMe,
  changeOwnPassword,
  // Login itself is REST (POST/PUT /api/v2/auth); these manage the caller's two-factor.
  auth: router({ totpStatus, totpEnroll, totpConfirm, totpDisable }),
  permissions,
  installations: router({ list: listInstallations }),
  devices: router({ list: listDevices }),
  functions: router({ list: listFunctions }),
  data: router({ status }),
  ingest: router({ stats: ingestStats }),
  organizations: router({
    list: listOrganizations,
    tree: organizationTree,
    get: getOrganization,
    create: createOrganization,
    update: updateOrganization,
    delete: deleteOrganization,
    forcePasswordReset,
  }),
  users: router({ list: listUsers, get: getUser, create: createUser, update: updateUser, delete: deleteUser, setPassword: setUserPassword }),
  trace: router({ list: listTrace }),
  roles: router({ list: listRoles, get: getRole, create: createRole, update: updateRole, delete: deleteRole }),
  gateway: router({ credentials: createGatewayCredentials, reset: resetGatewayCredentials }),
});

export type AppRouter = typeof appRouter;
