// SIGTERM in the middle of a QoS 1 burst: every message the broker acknowledged is in the history
// after a restart.
import { afterAll, describe, expect, it } from 'vitest';
import { createInstallation } from './helpers/fixtures.js';
import { expectOk, LynxHttp } from './helpers/lynx-http.js';
import { connectMqtt } from './helpers/mqtt-client.js';
import { makeDataDir, removeDataDir, startServerProcess } from './helpers/server-process.js';

let dataDir: string;
afterAll(async () => {
  if (dataDir) await removeDataDir(dataDir);
});

describe('shutdown during a publish burst', () => {
  it('loses no acknowledged QoS 1 message', async () => {
    dataDir = await makeDataDir();
    const first = await startServerProcess({ dataDir });
    const { client: admin } = await new LynxHttp(first.httpUrl).login(first.adminEmail, first.adminPassword);
    const inst = await createInstallation(admin, 'Burst');
    const token = expectOk(await admin.post<{ token: string }>('/api/v2/user/me/security/token', { name: 'burst' })).token;

    const acked = new Set<number>();
    const publishers = await Promise.all(
      [0, 1, 2].map((n) => connectMqtt(first.mqttUrl, { username: 'apikey', password: token, clientId: `burst-${n}`, queueQoSZero: false })),
    );
    let stop = false;
    const loops = publishers.map(async (client, n) => {
      // Several messages in flight per client, like a busy gateway.
      for (let i = 0; !stop && i < 100_000; i += 8) {
        const batch = Array.from({ length: 8 }, (_, k) => n * 1_000_000 + i + k);
        await Promise.all(
          batch.map((seq) =>
            client
              .publishAsync(`${inst.client_id}/obj/burst/${n}`, JSON.stringify({ value: seq, timestamp: 1_700_000_000 + seq / 1000 }), { qos: 1 })
              .then(() => acked.add(seq))
              .catch(() => undefined),
          ),
        );
      }
    });
    await new Promise((r) => setTimeout(r, 1500));
    const exitCode = await first.stop('SIGTERM');
    stop = true;
    await Promise.race([Promise.all(loops), new Promise((r) => setTimeout(r, 2000))]);
    for (const p of publishers) p.end(true);
    expect(exitCode).toBe(0);
    expect(acked.size).toBeGreaterThan(100);

    const second = await startServerProcess({ dataDir });
    try {
      const api = new LynxHttp(second.httpUrl).withKey(token);
      const stored = new Set<number>();
      for (const n of [0, 1, 2]) {
        for (let offset = 0; ; ) {
          const page = expectOk(await api.get(`/api/v3beta/log/${inst.id}?topics=obj/burst/${n}&order=asc&limit=10000&offset=${offset}&from=0&to=2000000000`));
          for (const d of page.data) stored.add(d.value);
          offset += page.data.length;
          if (page.data.length < 10000) break;
        }
      }
      const missing = [...acked].filter((seq) => !stored.has(seq));
      expect(missing, `${missing.length} of ${acked.size} acknowledged messages missing`).toEqual([]);
    } finally {
      await second.stop();
    }
  });
});
