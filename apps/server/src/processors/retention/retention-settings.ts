// Retention periods of the time series: server-wide defaults from the configuration, overridden per
// installation by a `Setting` row (`installation.<id>.retention` = JSON {rawDays, rollupDays}), as the
// Installation table has no column for it. 0 days = keep forever.

import { z } from 'zod';
import type { AccessPolicy } from '../../aam/services/access-policy.js';
import type { Principal } from '../../aam/principal.js';
import type { AamDb } from '../../aam/store/open-store.js';
import { RetentionRepository } from './retention-repository.js';

const days = z.number().int('expected whole days').min(0, 'expected 0 (forever) or more days').max(36_500, 'expected at most 36,500 days');

/** Validated here too, for callers other than tRPC (whose procedures carry the same bounds). */
export const retentionPeriodSchema = z.object({
  /** Days raw points are kept; 0 = forever. */
  rawDays: days,
  /** Days rollups (minute, hour, day summaries) are kept; 0 = forever. Never shorter than rawDays in effect. */
  rollupDays: days,
});
export type RetentionPeriod = z.infer<typeof retentionPeriodSchema>;

export interface RetentionSetting {
  installationId: number;
  /** What the sweep applies: the override when set, else the defaults. */
  effective: RetentionPeriod;
  /** The installation's own setting; null = server defaults. */
  override: RetentionPeriod | null;
  defaults: RetentionPeriod;
}

export class RetentionSettingsService {
  private readonly repo: RetentionRepository;

  constructor(private readonly deps: { db: AamDb; policy: AccessPolicy; defaults: RetentionPeriod }) {
    this.repo = new RetentionRepository(deps.db);
  }

  /** Needs the installation's update right, like every other installation setting. */
  async get(p: Principal, installationId: number): Promise<RetentionSetting> {
    this.deps.policy.require(p, 'installation/update', installationId);
    return this.describe(installationId, await this.read(installationId));
  }

  /** `null` removes the override (back to the server defaults). */
  async set(p: Principal, installationId: number, period: RetentionPeriod | null): Promise<RetentionSetting> {
    this.deps.policy.require(p, 'installation/update', installationId);
    if (period === null) await this.repo.remove(installationId);
    else await this.repo.put(installationId, JSON.stringify(retentionPeriodSchema.parse(period)));
    return this.describe(installationId, period);
  }

  /** Every installation's override, for the sweep (one query). */
  async overrides(): Promise<Map<number, RetentionPeriod>> {
    const out = new Map<number, RetentionPeriod>();
    for (const [id, text] of await this.repo.all()) {
      const period = parsePeriod(text);
      if (period) out.set(id, period);
    }
    return out;
  }

  get defaults(): RetentionPeriod {
    return this.deps.defaults;
  }

  /** Removes the override of a deleted installation. */
  async forget(installationId: number): Promise<void> {
    await this.repo.remove(installationId);
  }

  private async read(installationId: number): Promise<RetentionPeriod | null> {
    const text = await this.repo.get(installationId);
    return text === null ? null : parsePeriod(text);
  }

  private describe(installationId: number, override: RetentionPeriod | null): RetentionSetting {
    return { installationId, effective: override ?? this.deps.defaults, override, defaults: this.deps.defaults };
  }
}

/** A row edited by hand into something invalid counts as absent (defaults apply) rather than failing the sweep. */
function parsePeriod(text: string): RetentionPeriod | null {
  try {
    const r = retentionPeriodSchema.safeParse(JSON.parse(text));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}
