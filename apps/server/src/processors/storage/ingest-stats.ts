// What the storage processor refused, per installation: a device sending malformed payloads shows
// up here (and in the log, rate limited) instead of silently losing data.
import type { Principal } from '../../aam/principal.js';
import type { AccessPolicy } from '../../aam/services/access-policy.js';
import type { StorageProcessor } from './storage-processor.js';

export interface InstallationIngestStats {
  installation_id: number;
  /** Payloads on this installation's topics that were not valid value payloads and were not stored. */
  rejected_payloads: number;
}

export class IngestStatsService {
  constructor(
    private readonly storage: StorageProcessor,
    private readonly policy: AccessPolicy,
  ) {}

  forInstallation(p: Principal, installationId: number): InstallationIngestStats {
    this.policy.require(p, 'log/read', installationId);
    return { installation_id: installationId, rejected_payloads: this.storage.rejected(installationId) };
  }
}
