// One publisher process: connects, tells the parent it is ready, waits for "go" (so process
// start-up is not timed), sends `count` 60-byte payloads at the given QoS as fast as the broker
// takes them (a bounded in-flight window for QoS 1), reports and exits.
import mqtt from 'mqtt';

const [url, token, topic, countText, qosText, windowText] = process.argv.slice(2);
const count = Number(countText);
const qos = Number(qosText);
const window = Number(windowText ?? 64);

function payload(i) {
  const base = JSON.stringify({ value: i, timestamp: 1_700_000_000 + i / 1000, msg: '' });
  // Pad msg so every payload is exactly 60 bytes, as the issue asks.
  return JSON.stringify({ value: i, timestamp: 1_700_000_000 + i / 1000, msg: 'x'.repeat(Math.max(0, 60 - base.length)) });
}

const client = mqtt.connect(url, { username: 'bench', password: token || undefined, reconnectPeriod: 0, protocolVersion: 4, clean: true });
client.on('error', (err) => {
  console.error(`publisher ${topic}: ${err.message}`);
  process.exit(1);
});

const ackMs = new Float64Array(qos === 1 ? count : 0);

async function run() {
  const started = performance.now();
  if (qos === 0) {
    for (let i = 0; i < count; i++) {
      // Respect socket backpressure so QoS 0 does not just fill memory.
      if (!client.publish(topic, payload(i), { qos: 0 })) await new Promise((r) => client.stream.once('drain', r));
      if (i % 1000 === 999) await new Promise((r) => setImmediate(r));
    }
    await new Promise((r) => client.stream.write('', r));
  } else {
    let next = 0;
    const worker = async () => {
      while (next < count) {
        const i = next++;
        const t = performance.now();
        await client.publishAsync(topic, payload(i), { qos: 1 });
        ackMs[i] = performance.now() - t;
      }
    };
    await Promise.all(Array.from({ length: window }, worker));
  }
  const seconds = (performance.now() - started) / 1000;
  // PUBLISH to PUBACK: with the ack-after-durable rule this is what bounds one publisher's QoS 1 rate.
  ackMs.sort((a, b) => a - b);
  const ack = qos === 1 ? { p50: ackMs[Math.floor(count * 0.5)], p99: ackMs[Math.floor(count * 0.99)] } : null;
  process.send?.({ type: 'done', sent: count, seconds, ack });
  client.end(false, () => process.exit(0));
}

client.once('connect', () => {
  process.on('message', (m) => {
    if (m === 'go') void run();
  });
  process.send?.({ type: 'ready' });
});
