/**
 * The W3 MQTT broker: aedes on loopback, in the benchmark's process, with a hook that records
 * when each PUBLISH from a client arrives (performance.now(), taken in aedes' authorizePublish,
 * the first thing it does with an incoming PUBLISH), so the latency clock starts at the broker.
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { Aedes } from 'aedes';

export interface W3Broker {
  url: string;
  close(): Promise<void>;
}

export async function startW3Broker(onArrival: (topic: string, payload: Buffer, atMs: number) => void): Promise<W3Broker> {
  const broker = await Aedes.createBroker({
    authorizePublish: (client, packet, done) => {
      if (client) onArrival(packet.topic, Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload), performance.now());
      done(null);
    },
  });
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    broker.handle(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
