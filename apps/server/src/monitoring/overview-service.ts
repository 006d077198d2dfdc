// The overview screen: per installation the caller may list, its size, activity and problems.
// Each figure needs the same right as reading it elsewhere; without it the figure is null or 0.
import type { InstallationOverview, Overview } from '@lynx/shared';
import type { Principal } from '../aam/principal.js';
import type { AppServices } from '../services.js';
import type { LiveFeed } from './live-feed.js';

type Deps = Pick<AppServices, 'installations' | 'devices' | 'functions' | 'ingest' | 'notifications' | 'edgeAppInstances' | 'edgeRuntime' | 'policy'>;

export interface OverviewServiceOptions {
  /** Late-bound: the services object is built with this one in it. */
  services: () => Deps;
  feed: LiveFeed;
  /** Connected MQTT clients on the broker; late-bound because the bus starts after the services. */
  brokerClients: () => number;
}

/** Installations summarized at once; a bigger fleet is summarized in slices of this size. */
const concurrency = 8;

export class OverviewService {
  constructor(private readonly opts: OverviewServiceOptions) {}

  async overview(p: Principal): Promise<Overview> {
    const s = this.opts.services();
    const infos = await s.installations.listInfo(p);
    const installations: InstallationOverview[] = [];
    for (let i = 0; i < infos.length; i += concurrency) {
      installations.push(...(await Promise.all(infos.slice(i, i + concurrency).map((info) => this.summarize(p, s, info)))));
    }
    return { installations, broker_clients: this.opts.brokerClients(), messages_per_second: this.opts.feed.totalRate() };
  }

  private async summarize(p: Principal, s: Deps, info: { id: number; name: string; client_id: number; organization_id: number }): Promise<InstallationOverview> {
    const id = info.id;
    const can = (family: string) => s.policy.can(p, family, id);
    const activity = this.opts.feed.activityOf(id);
    const [devices, functions, failed, stopped] = await Promise.all([
      can('devicex/list') ? s.devices.list(p, id).then((l) => l.length) : 0,
      can('functionx/list') ? s.functions.list(p, id).then((l) => l.length) : 0,
      can('notification/output/list') ? s.notifications.deliveries(p, id, 1).then((d) => d.counts.failed ?? 0) : null,
      can('edge/app/configured/list') ? this.stoppedEdgeApps(p, s, id) : null,
    ]);
    return {
      id,
      name: info.name,
      client_id: info.client_id,
      organization_id: info.organization_id,
      devices,
      functions,
      active_clients: activity.activeClients,
      messages_per_second: activity.messagesPerSecond,
      last_activity: activity.lastActivity,
      problems: {
        bad_payloads: can('log/read') ? s.ingest.forInstallation(p, id).rejected_payloads : null,
        failed_notifications: failed,
        stopped_edge_apps: stopped,
      },
    };
  }

  private async stoppedEdgeApps(p: Principal, s: Deps, installationId: number): Promise<number> {
    const instances = await s.edgeAppInstances.list(p, installationId);
    const states = await Promise.all(instances.map((i) => s.edgeRuntime.instanceStatus(p, installationId, i.id).then((st) => st.state)));
    return states.filter((st) => st === 'stopped' || st === 'crashed').length;
  }
}
