/**
 * The W3 MQTT broker: aedes on loopback, in the benchmark's process, with a hook that records
 * when each PUBLISH from a client arrives (performance.now(), taken in aedes' authorizePublish,
 * the first thing it does with an incoming PUBLISH), so the latency clock starts at the broker.
 */
import { startEmbeddedBroker } from '../src/meters/embedded-broker.js';

export interface W3Broker {
  url: string;
  close(): Promise<void>;
}

export async function startW3Broker(onArrival: (topic: string, payload: Buffer, atMs: number) => void): Promise<W3Broker> {
  return startEmbeddedBroker({
    port: 0,
    aedes: {
      authorizePublish: (client, packet, done) => {
        if (client) onArrival(packet.topic, Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload), performance.now());
        done(null);
      },
    },
  });
}
