// Profiles one REST endpoint: a server with a V8 CPU profile, 1,000 topics, 5 s of autocannon.
//   node bench/profile/rest-endpoint.mjs <profile dir> "/api/v2/status/ID"   (ID = the installation)
import autocannon from 'autocannon';
import { benchInstallation, startLynx, tempDir, api } from '../lib/common.mjs';
import mqtt from 'mqtt';
const dataDir = await tempDir('prof');
const server = await startLynx({ dataDir, cpuProfDir: process.argv[2] });
const { token, inst } = await benchInstallation(server);
const client = await mqtt.connectAsync(server.mqtt, { username: 'b', password: token, protocolVersion: 4 });
for (let i = 0; i < 1000; i++) await client.publishAsync(`${inst.client_id}/obj/t${i}`, JSON.stringify({ value: i, timestamp: 1_700_000_000 + i, msg: '' }), { qos: 1 });
await client.endAsync();
const path = process.argv[3].replaceAll('CLIENT', inst.client_id).replace('ID', inst.id);
const t = performance.now(); await fetch(server.http + path, { headers: { 'X-API-Key': token } }).then((r) => r.text()); console.log('one request ms', performance.now() - t);
const r = await autocannon({ url: server.http + path, connections: 10, duration: Number(process.env.DURATION ?? 5), headers: { 'X-API-Key': token } });
console.log('req/s', r.requests.average, 'requests', r.requests.total, 'p50', r.latency.p50, r.non2xx, r.errors);
await server.stop();
