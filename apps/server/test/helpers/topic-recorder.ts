// Records what an MQTT client receives, by topic, so tests can wait for one message and then ask
// whether another one came before it.
import type { MqttClient } from 'mqtt';
import { eventually } from './mqtt-client.js';

export class TopicRecorder {
  private readonly seen = new Map<string, string[]>();

  constructor(client: MqttClient) {
    client.on('message', (topic, payload) => {
      const list = this.seen.get(topic) ?? [];
      list.push(payload.toString('utf8'));
      this.seen.set(topic, list);
    });
  }

  has(topic: string): boolean {
    return this.seen.has(topic);
  }

  payloads(topic: string): string[] {
    return this.seen.get(topic) ?? [];
  }

  async waitFor(topic: string, timeoutMs = 5000): Promise<string[]> {
    return eventually(async () => this.seen.get(topic), timeoutMs);
  }
}
