// The server executor against a real store and a real bus: the scheduler's clock is injected, so
// minutes (and DST changes) pass without waiting; publishes are seen by the storage processor and
// by an MQTT subscriber.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import type { Installation } from '@lynx/shared';
import { createAdminFixture, type AdminFixture } from '../../aam/services/admin-test-fixture.js';
import { MqttAccess } from '../../aam/services/mqtt-access.js';
import { startBus, type Bus } from '../../bus/broker.js';
import { MemoryStore } from '../storage/memory-store-test-fixture.js';
import { createStorageProcessor } from '../storage/storage-processor.js';
import { ScheduleRunner, type SchedulerClock } from './schedule-runner.js';
import { SchedulesService } from './schedules-service.js';
import { isRepeatedLocalMinute, localMinute } from './local-time.js';

const logger = pino({ level: 'silent' });

class ManualClock implements SchedulerClock {
  timers: { fn: () => void; at: number }[] = [];
  constructor(public ms: number) {}
  now() {
    return this.ms;
  }
  setTimeout(fn: () => void, ms: number) {
    const timer = { fn, at: this.ms + ms };
    this.timers.push(timer);
    return timer;
  }
  clearTimeout(handle: unknown) {
    this.timers = this.timers.filter((t) => t !== handle);
  }
  set(iso: string) {
    this.ms = Date.parse(iso);
  }
  /** Fires a pending timer (now, whatever its due time), as the event loop would. */
  fire(timer: { fn: () => void }) {
    this.clearTimeout(timer);
    timer.fn();
  }
}

const utc = (iso: string) => Date.parse(iso) / 1000;

let f: AdminFixture;
let dataDir: string;
let store: MemoryStore;
let bus: Bus;
let schedules: SchedulesService;
let stockholm: Installation;
let utcInst: Installation;
const runners: ScheduleRunner[] = [];
const clients: MqttClient[] = [];

function runner(clock: SchedulerClock, maxCatchUpMinutes = 100_000): ScheduleRunner {
  const r = new ScheduleRunner({ db: f.db, publish: (topic, payload) => bus.publish(topic, payload, { qos: 1 }), logger, clock, maxCatchUpMinutes });
  runners.push(r);
  return r;
}

/** What storage got from the schedules: [relative topic, value, timestamp as ISO]. */
function stored(installationId: number): [string, number, string][] {
  return store.points.filter((p) => p.installationId === installationId).map((p) => [p.topic, p.value, new Date(p.timestamp * 1000).toISOString()]);
}

const daily = (hour: string, minute: string, extra: Record<string, unknown> = {}) => ({ minute, hour, day_of_month: '*', month: '*', day_of_week: '*', topic: 'set/obj/light', value: 1, ...extra });

beforeEach(async () => {
  f = await createAdminFixture();
  dataDir = await mkdtemp(join(tmpdir(), 'schedule-runner-'));
  store = new MemoryStore();
  bus = await startBus({
    host: '127.0.0.1',
    mqttPort: 0,
    dataDir,
    access: new MqttAccess(f.auth, f.policy, f.index, f.hub),
    processors: [createStorageProcessor(store, { logger })],
    logger,
  });
  schedules = new SchedulesService({ db: f.db, policy: f.policy, changes: { changed: () => {} }, now: () => f.clock.now });
  stockholm = await f.installations.create(f.admin, { name: 'Home', timezone: 'Europe/Stockholm' });
  utcInst = await f.installations.create(f.admin, { name: 'Lab', timezone: 'UTC' });
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.end(true);
  for (const r of runners.splice(0)) await r.close();
  await bus.close();
  await rm(dataDir, { recursive: true, force: true });
  await f.close();
});

describe('local time', () => {
  it('gives Stockholm wall-clock fields and offsets across both changes of 2026', () => {
    const m = (iso: string) => Date.parse(iso) / 60_000;
    expect(localMinute(m('2026-03-29T00:59:00Z'), 'Europe/Stockholm')).toMatchObject({ hour: 1, minute: 59, offset: 60, weekday: 0, day: 29, month: 3 });
    expect(localMinute(m('2026-03-29T01:00:00Z'), 'Europe/Stockholm')).toMatchObject({ hour: 3, minute: 0, offset: 120 });
    expect(localMinute(m('2026-10-25T00:30:00Z'), 'Europe/Stockholm')).toMatchObject({ hour: 2, minute: 30, offset: 120 });
    expect(localMinute(m('2026-10-25T01:30:00Z'), 'Europe/Stockholm')).toMatchObject({ hour: 2, minute: 30, offset: 60 });
    expect(isRepeatedLocalMinute(m('2026-10-25T00:30:00Z'), 'Europe/Stockholm')).toBe(false);
    expect(isRepeatedLocalMinute(m('2026-10-25T01:00:00Z'), 'Europe/Stockholm')).toBe(true);
    expect(isRepeatedLocalMinute(m('2026-10-25T01:59:00Z'), 'Europe/Stockholm')).toBe(true);
    expect(isRepeatedLocalMinute(m('2026-10-25T02:00:00Z'), 'Europe/Stockholm')).toBe(false);
    expect(isRepeatedLocalMinute(m('2026-03-29T01:30:00Z'), 'Europe/Stockholm')).toBe(false);
    expect(isRepeatedLocalMinute(m('2026-10-25T01:30:00Z'), 'UTC')).toBe(false);
  });
});

describe('ScheduleRunner', () => {
  it('publishes value and minute timestamp on the installation topic, seen by MQTT subscribers and storage', async () => {
    const s = await schedules.create(f.admin, utcInst.id, daily('7', '0', { value: '21.5' }));
    const session = await f.login(f.admin.userId);
    const sub = await mqtt.connectAsync(`mqtt://127.0.0.1:${bus.mqttPort}`, { username: 'apikey', password: session.secret, reconnectPeriod: 0 });
    clients.push(sub);
    const received: { topic: string; payload: string }[] = [];
    sub.on('message', (topic, payload) => received.push({ topic, payload: payload.toString() }));
    await sub.subscribeAsync(`${utcInst.client_id}/#`, { qos: 1 });

    const clock = new ManualClock(Date.parse('2026-06-01T06:58:30Z'));
    const r = runner(clock);
    await r.start();
    clock.set('2026-06-01T07:00:10Z');
    expect(await r.runDue()).toBe(1);
    expect(stored(utcInst.id)).toEqual([['set/obj/light', 21.5, '2026-06-01T07:00:00.000Z']]);
    for (let i = 0; received.length === 0; i++) {
      if (i > 500) throw new Error('the scheduled publish never reached the MQTT subscriber');
      await new Promise((res) => setTimeout(res, 10));
    }
    expect(received).toEqual([{ topic: `${utcInst.client_id}/set/obj/light`, payload: JSON.stringify({ value: 21.5, timestamp: utc('2026-06-01T07:00:00Z') }) }]);
    expect((await f.db.schedule.findUniqueOrThrow({ where: { id: s.id } })).lastRun).toBe(utc('2026-06-01T07:00:00Z'));

    // Later minutes of the day do not match.
    clock.set('2026-06-01T23:59:00Z');
    expect(await r.runDue()).toBe(0);
    clock.set('2026-06-02T07:00:00Z');
    expect(await r.runDue()).toBe(1);
    expect(r.stats()).toMatchObject({ runs: 2, failures: 0 });
  });

  it('runs in the installation timezone and skips inactive and edge_client schedules', async () => {
    await schedules.create(f.admin, stockholm.id, daily('7', '0', { topic: 'set/home' }));
    await schedules.create(f.admin, utcInst.id, daily('7', '0', { topic: 'set/lab' }));
    await schedules.create(f.admin, utcInst.id, daily('7', '0', { topic: 'set/off', active: false }));
    await schedules.create(f.admin, utcInst.id, daily('7', '0', { topic: 'set/edge', executor: 'edge_client' }));
    const clock = new ManualClock(Date.parse('2026-06-01T04:00:00Z'));
    const r = runner(clock);
    await r.start();
    clock.set('2026-06-01T08:00:00Z');
    expect(await r.runDue()).toBe(2);
    // 07:00 in Stockholm (CEST, +2) is 05:00 UTC.
    expect(stored(stockholm.id)).toEqual([['set/home', 1, '2026-06-01T05:00:00.000Z']]);
    expect(stored(utcInst.id)).toEqual([['set/lab', 1, '2026-06-01T07:00:00.000Z']]);
  });

  it('skips 02:30 on the spring-forward night in Stockholm and runs it the next night', async () => {
    await schedules.create(f.admin, stockholm.id, daily('2', '30'));
    await schedules.create(f.admin, stockholm.id, daily('3', '0', { topic: 'set/three' }));
    const clock = new ManualClock(Date.parse('2026-03-28T22:00:00Z'));
    const r = runner(clock);
    await r.start();
    clock.set('2026-03-29T04:00:00Z');
    await r.runDue();
    // 02:00-02:59 does not exist on 29 March; 03:00 CEST is 01:00 UTC.
    expect(stored(stockholm.id)).toEqual([['set/three', 1, '2026-03-29T01:00:00.000Z']]);
    clock.set('2026-03-30T00:45:00Z');
    await r.runDue();
    expect(stored(stockholm.id).slice(1)).toEqual([['set/obj/light', 1, '2026-03-30T00:30:00.000Z']]);
  });

  it('runs 02:30 once on the fall-back night in Stockholm, and an hourly-minute schedule 60 times, not 120', async () => {
    await schedules.create(f.admin, stockholm.id, daily('2', '30'));
    await schedules.create(f.admin, stockholm.id, daily('2', '*', { topic: 'set/every' }));
    const clock = new ManualClock(Date.parse('2026-10-24T22:00:00Z'));
    const r = runner(clock);
    await r.start();
    clock.set('2026-10-25T04:00:00Z');
    await r.runDue();
    const points = stored(stockholm.id);
    // The first 02:30 (CEST, 00:30 UTC); the repeated one at 01:30 UTC does not run.
    expect(points.filter((p) => p[0] === 'set/obj/light')).toEqual([['set/obj/light', 1, '2026-10-25T00:30:00.000Z']]);
    const every = points.filter((p) => p[0] === 'set/every');
    expect(every).toHaveLength(60);
    expect(every[0][2]).toBe('2026-10-25T00:00:00.000Z');
    expect(every[59][2]).toBe('2026-10-25T00:59:00.000Z');
  });

  it('does not run a minute twice across a restart (lastRun survives), and runs the minute it starts in', async () => {
    await schedules.create(f.admin, utcInst.id, daily('*', '*'));
    const clock = new ManualClock(Date.parse('2026-06-01T10:00:05Z'));
    const first = runner(clock);
    await first.start();
    expect(stored(utcInst.id)).toHaveLength(1);
    await first.close();
    // A second process in the same minute: already run.
    clock.set('2026-06-01T10:00:40Z');
    const second = runner(clock);
    await second.start();
    expect(stored(utcInst.id)).toHaveLength(1);
    clock.set('2026-06-01T10:01:00Z');
    expect(await second.runDue()).toBe(1);
    await second.close();
    // Down for 10:02-10:04: those minutes are not caught up; the start minute runs.
    clock.set('2026-06-01T10:05:30Z');
    const third = runner(clock);
    await third.start();
    expect(stored(utcInst.id).map((p) => p[2])).toEqual(['2026-06-01T10:00:00.000Z', '2026-06-01T10:01:00.000Z', '2026-06-01T10:05:00.000Z']);
  });

  it('ticks at minute boundaries, runs the current minute on close if its tick has not fired, and catches up a late tick', async () => {
    await schedules.create(f.admin, utcInst.id, daily('*', '*'));
    const clock = new ManualClock(Date.parse('2026-06-01T10:00:20Z'));
    const r = runner(clock, 5);
    await r.start();
    expect(clock.timers.map((t) => new Date(t.at).toISOString())).toEqual(['2026-06-01T10:01:00.005Z']);
    // The tick fires late, at 10:03:01: 10:01, 10:02 and 10:03 all run, in order.
    const tick = clock.timers[0];
    clock.set('2026-06-01T10:03:01Z');
    clock.fire(tick);
    await r.runDue();
    expect(stored(utcInst.id).map((p) => p[2].slice(11, 16))).toEqual(['10:00', '10:01', '10:02', '10:03']);
    await new Promise((res) => setImmediate(res));
    expect(clock.timers.map((t) => new Date(t.at).toISOString())).toEqual(['2026-06-01T10:04:00.005Z']);
    // Held up for 20 minutes: only the last five run.
    clock.set('2026-06-01T10:23:30Z');
    await r.runDue();
    expect(stored(utcInst.id).map((p) => p[2].slice(11, 16)).slice(4)).toEqual(['10:19', '10:20', '10:21', '10:22', '10:23']);
    expect(r.stats().skippedMinutes).toBe(15);
    // Stopped just after 10:24 began, before its tick: close runs it.
    clock.set('2026-06-01T10:24:00.001Z');
    await r.close();
    expect(stored(utcInst.id).map((p) => p[2].slice(11, 16)).at(-1)).toBe('10:24');
    expect(clock.timers).toEqual([]);
  });

  it('does nothing when the clock goes back, and picks up again after it passes the last minute run', async () => {
    await schedules.create(f.admin, utcInst.id, daily('*', '*'));
    const clock = new ManualClock(Date.parse('2026-06-01T10:00:00Z'));
    const r = runner(clock);
    await r.start();
    clock.set('2026-06-01T09:57:00Z');
    expect(await r.runDue()).toBe(0);
    clock.set('2026-06-01T10:00:59Z');
    expect(await r.runDue()).toBe(0);
    clock.set('2026-06-01T10:01:00Z');
    expect(await r.runDue()).toBe(1);
  });

  it('follows updates and deletes between minutes', async () => {
    const s = await schedules.create(f.admin, utcInst.id, daily('*', '*'));
    const clock = new ManualClock(Date.parse('2026-06-01T10:00:00Z'));
    const r = runner(clock);
    await r.start();
    f.clock.now += 10;
    await schedules.update(f.admin, utcInst.id, s.id, { minute: '*/2', value: 5 });
    clock.set('2026-06-01T10:01:00Z');
    expect(await r.runDue()).toBe(0);
    clock.set('2026-06-01T10:02:00Z');
    expect(await r.runDue()).toBe(1);
    await schedules.delete(f.admin, utcInst.id, s.id);
    clock.set('2026-06-01T10:04:00Z');
    expect(await r.runDue()).toBe(0);
    expect(stored(utcInst.id).map((p) => p[1])).toEqual([1, 5]);
  });
});
