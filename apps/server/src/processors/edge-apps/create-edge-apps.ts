// Builds the catalogue and instances services, which refer to each other: the catalogue lets an
// installation running an app download it, the instances check versions against the catalogue.
import type { Audit } from '../../aam/audit.js';
import type { ChangePublisher } from '../../aam/events.js';
import type { OrganizationTree } from '../../aam/organization-tree.js';
import type { AccessPolicy } from '../../aam/services/access-policy.js';
import type { AamDb } from '../../aam/store/open-store.js';
import { EdgeAppCatalogueService } from './catalogue/service.js';
import { EdgeAppInstancesService } from './instances/service.js';
import type { EdgeRuntimeControl } from './runtime-control.js';

export interface EdgeAppsOptions {
  db: AamDb;
  policy: AccessPolicy;
  organizations: OrganizationTree;
  changes: ChangePublisher;
  audit?: Audit;
  /** Late-bound: the runtime starts after the services; unset means no runtime (no-op). */
  runtime?: () => EdgeRuntimeControl | undefined;
  now?: () => number;
}

export function createEdgeApps(opts: EdgeAppsOptions): { catalogue: EdgeAppCatalogueService; instances: EdgeAppInstancesService } {
  let instances: EdgeAppInstancesService | undefined;
  const catalogue = new EdgeAppCatalogueService({
    db: opts.db,
    policy: opts.policy,
    organizations: opts.organizations,
    installationsUsing: (appId) => instances!.installationsUsing(appId),
    audit: opts.audit,
    now: opts.now,
  });
  instances = new EdgeAppInstancesService({
    db: opts.db,
    policy: opts.policy,
    catalogue,
    changes: opts.changes,
    runtime: opts.runtime,
    audit: opts.audit,
    now: opts.now,
  });
  return { catalogue, instances };
}
