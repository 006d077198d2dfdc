import { deleteFile } from './procedures/delete-file.js';
import { getFile } from './procedures/get-file.js';
import { listFiles } from './procedures/list-files.js';
import { uploadFile } from './procedures/upload-file.js';
import { changeOwnPassword } from './procedures/change-own-password.js';
import { createOrganization } from './procedures/create-organization.js';
import { createGatewayCredentials } from './procedures/create-gateway-credentials.js';
import { createRole } from './procedures/create-role.js';
import { createSchedule } from './procedures/create-schedule.js';
import { createUser } from './procedures/create-user.js';
import { deleteOrganization } from './procedures/delete-organization.js';
import { deleteRole } from './procedures/delete-role.js';
import { deleteSchedule } from './procedures/delete-schedule.js';
import { deleteUser } from './procedures/delete-user.js';
import { forcePasswordReset } from './procedures/force-password-reset.js';
import { getOrganization } from './procedures/get-organization.js';
import { getRole } from './procedures/get-role.js';
import { getSchedule } from './procedures/get-schedule.js';
import { getRetention } from './procedures/get-retention.js';
import { setRetention } from './procedures/set-retention.js';
import { getUser } from './procedures/get-user.js';
import { health } from './procedures/health.js';
import { ingestStats } from './procedures/ingest-stats.js';
import { listDevices } from './procedures/list-devices.js';
import { listFunctions } from './procedures/list-functions.js';
import { listInstallations } from './procedures/list-installations.js';
import { listOrganizations } from './procedures/list-organizations.js';
import { listRoles } from './procedures/list-roles.js';
import { listSchedules } from './procedures/list-schedules.js';
import { listTrace } from './procedures/list-trace.js';
import { listUsers } from './procedures/list-users.js';
import { me } from './procedures/me.js';
import { organizationTree } from './procedures/organization-tree.js';
import { permissions } from './procedures/permissions.js';
import { resetGatewayCredentials } from './procedures/reset-gateway-credentials.js';
import { search } from './procedures/search.js';
import { setUserPassword } from './procedures/set-user-password.js';
import { status } from './procedures/status.js';
import { updateMe } from './procedures/update-me.js';
import { updateOrganization } from './procedures/update-organization.js';
import { updateRole } from './procedures/update-role.js';
import { updateSchedule } from './procedures/update-schedule.js';
import { updateUser } from './procedures/update-user.js';
import { totpConfirm } from './procedures/totp-confirm.js';
import { totpDisable } from './procedures/totp-disable.js';
import { totpEnroll } from './procedures/totp-enroll.js';
import { totpStatus } from './procedures/totp-status.js';
import { createEdgeApp } from './procedures/create-edge-app.js';
import { createEdgeAppInstance } from './procedures/create-edge-app-instance.js';
import { deleteEdgeAppInstance } from './procedures/delete-edge-app-instance.js';
import { getEdgeApp } from './procedures/get-edge-app.js';
import { getEdgeAppInstance } from './procedures/get-edge-app-instance.js';
import { listEdgeAppInstances } from './procedures/list-edge-app-instances.js';
import { listEdgeAppVersions } from './procedures/list-edge-app-versions.js';
import { listEdgeApps } from './procedures/list-edge-apps.js';
import { publishEdgeAppVersion } from './procedures/publish-edge-app-version.js';
import { updateEdgeApp } from './procedures/update-edge-app.js';
import { updateEdgeAppInstance } from './procedures/update-edge-app-instance.js';
import { uploadEdgeAppVersion } from './procedures/upload-edge-app-version.js';
import { edgeInstanceLogs } from './procedures/edge-instance-logs.js';
import { edgeInstanceStatus } from './procedures/edge-instance-status.js';
import { createNotificationExecutor } from './procedures/create-notification-executor.js';
import { createNotificationMessage } from './procedures/create-notification-message.js';
import { createNotificationOutput } from './procedures/create-notification-output.js';
import { deleteNotificationExecutor } from './procedures/delete-notification-executor.js';
import { deleteNotificationMessage } from './procedures/delete-notification-message.js';
import { deleteNotificationOutput } from './procedures/delete-notification-output.js';
import { listNotificationExecutors } from './procedures/list-notification-executors.js';
import { listNotificationMessages } from './procedures/list-notification-messages.js';
import { listNotificationOutputs } from './procedures/list-notification-outputs.js';
import { notificationDeliveries } from './procedures/notification-deliveries.js';
import { sendNotification } from './procedures/send-notification.js';
import { updateNotificationExecutor } from './procedures/update-notification-executor.js';
import { updateNotificationMessage } from './procedures/update-notification-message.js';
import { updateNotificationOutput } from './procedures/update-notification-output.js';
import { createDevice } from './procedures/create-device.js';
import { createFunction } from './procedures/create-function.js';
import { createInstallation } from './procedures/create-installation.js';
import { createToken } from './procedures/create-token.js';
import { dataHistory } from './procedures/data-history.js';
import { dataLive } from './procedures/data-live.js';
import { dataPublish } from './procedures/data-publish.js';
import { dataTail } from './procedures/data-tail.js';
import { deleteDevice } from './procedures/delete-device.js';
import { deleteFunction } from './procedures/delete-function.js';
import { deleteInstallation } from './procedures/delete-installation.js';
import { getDevice } from './procedures/get-device.js';
import { getFunction } from './procedures/get-function.js';
import { getInstallation } from './procedures/get-installation.js';
import { listTokens } from './procedures/list-tokens.js';
import { overview } from './procedures/overview.js';
import { revokeToken } from './procedures/revoke-token.js';
import { systemInfo } from './procedures/system-info.js';
import { systemLogs } from './procedures/system-logs.js';
import { systemBackup } from './procedures/system-backup.js';
import { updateDevice } from './procedures/update-device.js';
import { updateFunction } from './procedures/update-function.js';
import { updateInstallation } from './procedures/update-installation.js';
import { router } from './trpc.js';

export const appRouter = router({
  notifications: router({
    messages: router({ list: listNotificationMessages, create: createNotificationMessage, update: updateNotificationMessage, delete: deleteNotificationMessage }),
    outputs: router({ list: listNotificationOutputs, create: createNotificationOutput, update: updateNotificationOutput, delete: deleteNotificationOutput }),
    executors: router({ list: listNotificationExecutors, create: createNotificationExecutor, update: updateNotificationExecutor, delete: deleteNotificationExecutor }),
    send: sendNotification,
    deliveries: notificationDeliveries,
  }),
  health,
  me,
  updateMe,
  changeOwnPassword,
  // Login itself is REST (POST/PUT /api/v2/auth); these manage the caller's two-factor.
  auth: router({ totpStatus, totpEnroll, totpConfirm, totpDisable }),
  permissions,
  installations: router({ list: listInstallations, get: getInstallation, create: createInstallation, update: updateInstallation, delete: deleteInstallation }),
  devices: router({ list: listDevices, get: getDevice, create: createDevice, update: updateDevice, delete: deleteDevice }),
  functions: router({ list: listFunctions, get: getFunction, create: createFunction, update: updateFunction, delete: deleteFunction }),
  // live and tail are SSE subscriptions; the client passes its token in connectionParams.
  data: router({ status, history: dataHistory, live: dataLive, tail: dataTail, publish: dataPublish }),
  tokens: router({ list: listTokens, create: createToken, revoke: revokeToken }),
  overview,
  system: router({ info: systemInfo, logs: systemLogs, backup: systemBackup }),
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
  edgeApps: router({
    list: listEdgeApps,
    get: getEdgeApp,
    create: createEdgeApp,
    update: updateEdgeApp,
    versions: listEdgeAppVersions,
    uploadVersion: uploadEdgeAppVersion,
    publish: publishEdgeAppVersion,
    instances: router({ list: listEdgeAppInstances, get: getEdgeAppInstance, create: createEdgeAppInstance, update: updateEdgeAppInstance, delete: deleteEdgeAppInstance }),
    // State and log as the server-side Lua runtime runs the instance.
    instanceStatus: edgeInstanceStatus,
    instanceLogs: edgeInstanceLogs,
  }),
  schedules: router({ list: listSchedules, get: getSchedule, create: createSchedule, update: updateSchedule, delete: deleteSchedule }),
  files: router({ list: listFiles, get: getFile, upload: uploadFile, delete: deleteFile }),
  search,
  // Time-series retention of one installation (the sweep is processors/retention).
  retention: router({ get: getRetention, set: setRetention }),
});

export type AppRouter = typeof appRouter;
