// In-memory copy of the organization tree (id → parent), so `/all` permissions can be resolved to
// an organization subtree without recursive SQL. The organizations service keeps it current.

export class OrganizationTree {
  private readonly parentOf = new Map<number, number | null>();

  constructor(rows: Iterable<{ id: number; parentId: number | null }> = []) {
    for (const row of rows) this.parentOf.set(row.id, row.parentId);
  }

  upsert(id: number, parentId: number | null): void {
    this.parentOf.set(id, parentId);
  }

  remove(id: number): void {
    this.parentOf.delete(id);
  }

  has(id: number): boolean {
    return this.parentOf.has(id);
  }

  parent(id: number): number | null {
    return this.parentOf.get(id) ?? null;
  }

  roots(): number[] {
    return [...this.parentOf].filter(([, parent]) => parent === null).map(([id]) => id);
  }

  /** The given organizations and every descendant of them. */
  subtree(ids: Iterable<number>): Set<number> {
    const children = new Map<number, number[]>();
    for (const [id, parent] of this.parentOf) {
      if (parent === null) continue;
      const list = children.get(parent);
      if (list) list.push(id);
      else children.set(parent, [id]);
    }
    const out = new Set<number>();
    const stack = [...ids].filter((id) => this.parentOf.has(id));
    while (stack.length) {
      const id = stack.pop()!;
      if (out.has(id)) continue;
      out.add(id);
      stack.push(...(children.get(id) ?? []));
    }
    return out;
  }

  /** True when `id` is `ancestor` or below it. */
  isWithin(id: number, ancestor: number): boolean {
    for (let cur: number | null = id, guard = 0; cur !== null && guard < 10_000; cur = this.parent(cur), guard++) {
      if (cur === ancestor) return true;
    }
    return false;
  }
}
