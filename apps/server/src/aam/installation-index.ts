// In-memory index of every installation's id, client id, organization and assigned users. Access
// checks (REST per request, MQTT per connection/subscription) read it instead of querying SQL; the
// installations service keeps it current after each committed change.

export interface IndexedInstallation {
  id: number;
  clientId: number;
  organizationId: number;
  userIds: ReadonlySet<number>;
}

export class InstallationIndex {
  private readonly byIdMap = new Map<number, IndexedInstallation>();
  private readonly byClientIdMap = new Map<number, IndexedInstallation>();

  constructor(rows: Iterable<IndexedInstallation> = []) {
    for (const row of rows) this.upsert(row);
  }

  upsert(row: IndexedInstallation): void {
    const previous = this.byIdMap.get(row.id);
    if (previous) this.byClientIdMap.delete(previous.clientId);
    this.byIdMap.set(row.id, row);
    this.byClientIdMap.set(row.clientId, row);
  }

  remove(id: number): void {
    const row = this.byIdMap.get(id);
    if (!row) return;
    this.byIdMap.delete(id);
    this.byClientIdMap.delete(row.clientId);
  }

  byId(id: number): IndexedInstallation | undefined {
    return this.byIdMap.get(id);
  }

  byClientId(clientId: number): IndexedInstallation | undefined {
    return this.byClientIdMap.get(clientId);
  }

  all(): IterableIterator<IndexedInstallation> {
    return this.byIdMap.values();
  }

  maxClientId(): number {
    let max = 0;
    for (const clientId of this.byClientIdMap.keys()) if (clientId > max) max = clientId;
    return max;
  }
}
