// One process's share of the idle clients: opens `count` MQTT connections (a few at a time so the
// server's accept queue is not flooded), reports how many are connected, then holds them until
// told to stop.
import mqtt from 'mqtt';

const [url, token, countText, parallelText] = process.argv.slice(2);
const count = Number(countText);
const parallel = Number(parallelText ?? 50);
const clients = [];
let connected = 0;
let failed = 0;
let firstError = '';

function open(i) {
  return new Promise((resolve) => {
    const c = mqtt.connect(url, { username: 'idle', password: token, clientId: `idle-${process.pid}-${i}`, reconnectPeriod: 0, protocolVersion: 4, keepalive: 600, connectTimeout: 60_000 });
    clients.push(c);
    c.once('connect', () => {
      connected++;
      resolve();
    });
    c.once('error', (err) => {
      failed++;
      firstError ||= err.message;
      resolve();
    });
    c.once('close', () => resolve());
  });
}

let next = 0;
await Promise.all(
  Array.from({ length: parallel }, async () => {
    while (next < count) await open(next++);
  }),
);
process.send?.({ type: 'connected', connected, failed, firstError });
process.on('message', (m) => {
  if (m !== 'stop') return;
  for (const c of clients) c.end(true);
  setTimeout(() => process.exit(0), 200);
});
