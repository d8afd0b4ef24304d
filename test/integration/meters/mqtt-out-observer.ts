import { randomUUID } from 'node:crypto';
import { connectAsync, type MqttClient } from 'mqtt';

export interface ObservedMessage {
  topic: string;
  payload: string;
  retain: boolean;
}

/** A separate MQTT client that records what it sees, for tests of MQTT out. */
export class MqttObserver {
  readonly messages: ObservedMessage[] = [];
  private waiters: { from: number; accept: (m: ObservedMessage) => boolean; resolve: (m: ObservedMessage) => void }[] = [];

  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      const m = { topic, payload: payload.toString(), retain: packet.retain };
      this.messages.push(m);
      this.waiters = this.waiters.filter((w) => {
        if (!w.accept(m)) return true;
        w.resolve(m);
        return false;
      });
    });
  }

  static async connect(url: string, filters: string[]): Promise<MqttObserver> {
    const client = await connectAsync(url, { clientId: `switchyard-test-obs-${randomUUID()}`, reconnectPeriod: 0 });
    const observer = new MqttObserver(client);
    await client.subscribeAsync(filters, { qos: 1 });
    return observer;
  }

  /** The index of the next message: pass it as `from` to wait only for what comes after now. */
  get mark(): number {
    return this.messages.length;
  }

  /** The first message from index `from` on that `accept`s, already received or still to come. */
  waitFor(accept: (m: ObservedMessage) => boolean, from = 0): Promise<ObservedMessage> {
    const seen = this.messages.slice(from).find(accept);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ from, accept, resolve }));
  }

  waitForTopic(topic: string, from = 0, payload?: (p: string) => boolean): Promise<ObservedMessage> {
    return this.waitFor((m) => m.topic === topic && (payload === undefined || payload(m.payload)), from);
  }

  async publish(topic: string, payload: string, opts: { retain?: boolean } = {}): Promise<void> {
    await this.client.publishAsync(topic, payload, { qos: 1, retain: opts.retain ?? false });
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}
