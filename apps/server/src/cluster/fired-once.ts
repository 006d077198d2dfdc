// Once-only records for work done under a lease (a schedule's minute): fenced, so only the node
// that still holds the lease can record, and only the first record of a name counts. Both checks
// run in one Lua script, atomically with any takeover.
import type { Redis } from 'ioredis';

export interface FencedClaim {
  /** The lease key and the value this node's acquisition wrote there (`<node>:<token>`). */
  leaseKey: string;
  leaseValue: string;
  /** The record of this unit of work; holds the fencing token of the node that did it. */
  recordKey: string;
  token: number;
  keepMs: number;
}

const claimScript = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
if redis.call('SET', KEYS[2], ARGV[2], 'NX', 'PX', ARGV[3]) then return 1 end
return 0`;

/** 1 claimed; 0 already done; -1 this node no longer holds the lease. */
export async function claimFencedOnceResult(redis: Redis, c: FencedClaim): Promise<1 | 0 | -1> {
  const result = await redis.eval(claimScript, 2, c.leaseKey, c.recordKey, c.leaseValue, String(c.token), String(c.keepMs));
  return result === 1 ? 1 : result === 0 ? 0 : -1;
}

/** True when this node may do the work: it still holds the lease and nobody recorded it before. */
export async function claimFencedOnce(redis: Redis, c: FencedClaim): Promise<boolean> {
  return (await claimFencedOnceResult(redis, c)) === 1;
}
