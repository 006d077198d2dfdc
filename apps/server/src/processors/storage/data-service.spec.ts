// The pre-serialized status body: byte for byte what status() serializes to, and never stale.
import { describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Principal } from '../../aam/principal.js';
import type { AccessPolicy } from '../../aam/services/access-policy.js';
import { openLevelStore } from '../../tsdb/level-store.js';
import { DataService } from './data-service.js';

const principal = {} as Principal;
// The installation checks are the AAM's and tested there; here every installation 3 read is allowed.
const policy = {
  require: (_p: Principal, _family: string, installationId: number) => {
    if (installationId !== 3) throw new Error('forbidden');
    return { id: 3, clientId: 34 };
  },
} as unknown as AccessPolicy;

describe('DataService.statusJson', () => {
  it('matches status() after every change, for all topics and for a topic list', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'lynx-status-'));
    const store = await openLevelStore(dir);
    try {
      const data = new DataService(store, policy);
      const same = async (topics?: string[]) => {
        const body = (await data.statusJson(principal, 3, topics)).toString('utf8');
        expect(body).toBe(JSON.stringify(await data.status(principal, 3, topics)));
        return JSON.parse(body) as { topic: string; value: number; msg: string }[];
      };
      expect(await same()).toEqual([]);
      await store.append([
        { installationId: 3, topic: 'obj/a', timestamp: 1_700_000_000, value: 1, msg: '' },
        { installationId: 3, topic: 'obj/b', timestamp: 1_700_000_000, value: 2, msg: 'x "quoted"' },
      ]);
      expect((await same()).map((e) => e.value)).toEqual([1, 2]);
      // Asked twice unchanged, then a new value for one topic, a new msg only, and a new topic.
      await same();
      await store.append([{ installationId: 3, topic: 'obj/a', timestamp: 1_700_000_001, value: 5, msg: '' }]);
      expect((await same()).map((e) => e.value)).toEqual([5, 2]);
      // Same timestamp and value, later arrival: only the msg tells the two apart.
      await store.append([{ installationId: 3, topic: 'obj/b', timestamp: 1_700_000_000, value: 2, msg: 'changed' }]);
      expect((await same()).map((e) => e.msg)).toEqual(['', 'changed']);
      expect((await same(['34/obj/b'])).map((e) => e.topic)).toEqual(['obj/b']);
      await store.append([{ installationId: 3, topic: 'obj/c', timestamp: 1_700_000_003, value: 7, msg: '' }]);
      expect((await same()).map((e) => e.topic)).toEqual(['obj/a', 'obj/b', 'obj/c']);
      await store.deleteInstallation(3);
      expect(await same()).toEqual([]);
      await expect(data.statusJson(principal, 4)).rejects.toThrow('forbidden');
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
