import { describe, expect, it } from 'vitest';
import { buildOrgTree } from './organizations-screen.js';

describe('buildOrgTree', () => {
  it('nests by parent, sorts by name, and roots organizations whose parent is hidden', () => {
    const tree = buildOrgTree([
      { id: 1, name: 'Root', parent: 0 },
      { id: 3, name: 'Zeta', parent: 1 },
      { id: 2, name: 'Alpha', parent: 1 },
      { id: 4, name: 'Site', parent: 2 },
      // Its parent (99) is outside what the caller sees.
      { id: 5, name: 'Orphan', parent: 99 },
    ]);
    expect(tree.map((n) => n.name)).toEqual(['Orphan', 'Root']);
    const root = tree[1];
    expect(root.children.map((n) => n.name)).toEqual(['Alpha', 'Zeta']);
    expect(root.children[0].children.map((n) => n.name)).toEqual(['Site']);
  });

  it('survives a cycle in the data', () => {
    const tree = buildOrgTree([
      { id: 1, name: 'A', parent: 2 },
      { id: 2, name: 'B', parent: 1 },
    ]);
    // Neither is a root; both still show, once, without looping forever.
    expect(tree).toEqual([{ id: 1, name: 'A', children: [{ id: 2, name: 'B', children: [] }] }]);
  });
});
