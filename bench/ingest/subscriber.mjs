// The reference broker's receiving side: subscribes to the bench topics at the bench QoS and counts
// what mosquitto relays, reporting the count and when the last message arrived (epoch ms).
import mqtt from 'mqtt';

const [url, filter, qosText, expectedText] = process.argv.slice(2);
const expected = Number(expectedText);
let received = 0;
let lastAt = 0;
let reported = false;

const client = mqtt.connect(url, { reconnectPeriod: 0, protocolVersion: 4, clean: true });
client.on('error', (err) => {
  console.error(`subscriber: ${err.message}`);
  process.exit(1);
});
function report() {
  if (reported) return;
  reported = true;
  process.send?.({ type: 'done', received, lastAt });
  client.end(true, () => process.exit(0));
}
client.on('message', () => {
  received++;
  lastAt = performance.timeOrigin + performance.now();
  if (received >= expected) report();
});
process.on('message', (m) => {
  if (m === 'stop') report();
});
client.once('connect', () => {
  client.subscribe(filter, { qos: Number(qosText) }, (err) => {
    if (err) {
      console.error(`subscriber: ${err.message}`);
      process.exit(1);
    }
    process.send?.({ type: 'ready' });
  });
});
