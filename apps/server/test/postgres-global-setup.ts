// Global setup of the vitest "postgres" project: every store and server of the run gets its own
// database; whatever a crashed or timed-out test left behind is dropped when the run ends.
import { sweepTestDatabases } from '../src/aam/store/test-helpers.js';

export default async function setup(): Promise<() => Promise<void>> {
  // Leftovers of runs killed long ago go first, so they cannot pile up on a dev machine.
  await sweepTestDatabases();
  return async () => {
    const dropped = await sweepTestDatabases();
    if (dropped.length) console.warn(`postgres project: dropped ${dropped.length} test database(s) the tests left behind`);
  };
}
