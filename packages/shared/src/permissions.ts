// The Lynx permission keys (spec 1.4). `/all` reaches every installation or organization in the
// caller's organization subtree, `/assigned` only installations the user is assigned to.

const scoped = (base: string) => [`${base}/all`, `${base}/assigned`];

export const permissionKeys = [
  ...scoped('installation/list'),
  'installation/create',
  ...scoped('installation/delete'),
  ...scoped('installation/update'),
  ...scoped('installation/edit/protected_meta'),
  ...scoped('installation/view/protected_meta'),
  ...['functionx', 'devicex'].flatMap((x) => [
    ...scoped(`${x}/list`),
    ...scoped(`${x}/create_delete`),
    ...scoped(`${x}/update`),
    ...scoped(`${x}/edit/protected_meta`),
    ...scoped(`${x}/view/protected_meta`),
  ]),
  ...scoped('log/read'),
  ...scoped('status/read'),
  ...scoped('schedule/list'),
  ...scoped('schedule/create_delete'),
  ...scoped('schedule/update'),
  'edge/app/list',
  'edge/app/create',
  'edge/app/update',
  ...scoped('edge/app/configured/list'),
  ...scoped('edge/app/configured/create_delete'),
  ...scoped('edge/app/configured/update'),
  'mobile/create',
  ...scoped('notification/executor/list'),
  ...['list', 'create_delete', 'update'].flatMap((a) => scoped(`notification/message/${a}`)),
  ...['list', 'create_delete', 'update', 'send'].flatMap((a) => scoped(`notification/output/${a}`)),
  'organization/list/all',
  'organization/list',
  'organization/create_delete',
  'organization/update',
  ...scoped('organization/edit/protected_meta'),
  ...scoped('organization/view/protected_meta'),
  'role/create_delete',
  'role/update',
  'user/list',
  'user/create/delete',
  'user/update',
  'user/edit/protected_meta/all',
  'user/view/protected_meta/all',
  'registration/policy/list',
  'registration/policy/create_delete',
  'registration/policy/update',
  'gateway/registration/policy',
  ...scoped('gateway/reset/password'),
  'mqtt/subscribe/all',
  'mqtt/subscribe/assigned',
  'mqtt/subscribe/broad',
  'mqtt/publish/all',
  'mqtt/publish/assigned',
  'mqtt/blacklist/topic/manage',
  ...scoped('file/list'),
  ...scoped('file/download'),
  ...scoped('file/create_delete'),
  ...scoped('file/update'),
  'file/update/organization',
  'trace/list',
  'trace/list/system',
  'user/security/token/create_delete',
  'user/security/token/list/all',
  'oauth2_client/admin/create_delete',
  'oauth2_client/admin/update',
] as const;

export type PermissionKey = (typeof permissionKeys)[number];

/**
 * Permissions of the built-in "user" role: work with what is on the installations assigned to the
 * user, but not change or delete the installations themselves (that includes who is assigned).
 */
export const assignedUserPermissions: PermissionKey[] = permissionKeys.filter(
  (k) =>
    (k.endsWith('/assigned') &&
      !k.includes('protected_meta') &&
      !k.startsWith('gateway/') &&
      !k.startsWith('installation/delete') &&
      !k.startsWith('installation/update')) ||
    k === 'user/security/token/create_delete' ||
    k === 'edge/app/list',
);

/**
 * Keys that act on the whole server rather than on an organization subtree: the built-in
 * "organization admin" role lacks them, so an organization's admin cannot reach past its tree.
 */
export const systemWidePermissions: PermissionKey[] = [
  'role/create_delete',
  'role/update',
  'trace/list/system',
  'oauth2_client/admin/create_delete',
  'oauth2_client/admin/update',
  'mqtt/blacklist/topic/manage',
  'registration/policy/list',
  'registration/policy/create_delete',
  'registration/policy/update',
  'gateway/registration/policy',
  'edge/app/create',
  'edge/app/update',
];

/** Built-in "organization admin": everything within the member organizations' subtrees. */
export const organizationAdminPermissions: PermissionKey[] = permissionKeys.filter((k) => !systemWidePermissions.includes(k));

/**
 * Built-in "viewer": read-only on assigned installations (lists, values, history, files, MQTT
 * subscribe), plus own API keys so read-only integrations such as Grafana can authenticate.
 */
export const viewerPermissions: PermissionKey[] = permissionKeys.filter(
  (k) =>
    /\/(list|read)\/assigned$/.test(k) ||
    ['file/download/assigned', 'mqtt/subscribe/assigned', 'user/security/token/create_delete'].includes(k),
);

/**
 * What a gateway credential (spec 1.6) may do, always on its own installation only (the AAM
 * restricts the principal to it): read the installation, sync its devices and functions with
 * their (unprotected) meta, read status and history, list schedules and configured edge apps, and
 * publish and subscribe on MQTT under `<client_id>/`. Nothing about users, organizations, roles,
 * tokens, gateways, files, notifications or protected meta.
 */
export const gatewayPermissions: PermissionKey[] = [
  'installation/list/assigned',
  'devicex/list/assigned',
  'devicex/create_delete/assigned',
  'devicex/update/assigned',
  'functionx/list/assigned',
  'functionx/create_delete/assigned',
  'functionx/update/assigned',
  'status/read/assigned',
  'log/read/assigned',
  'schedule/list/assigned',
  'edge/app/configured/list/assigned',
  'mqtt/publish/assigned',
  'mqtt/subscribe/assigned',
];
