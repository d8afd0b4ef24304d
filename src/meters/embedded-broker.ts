import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Aedes, type AedesOptions } from 'aedes';

/**
 * An in-process MQTT broker, so the demo and the tests need no broker set-up. Plain TCP,
 * no authentication: bind it to loopback.
 */
export interface EmbeddedBrokerOptions {
  /** 0 picks any free port. */
  port: number;
  host?: string;
  /** aedes' own options: benchmarks and tests watch the broker through its hooks (authorizePublish, ...). */
  aedes?: AedesOptions;
}

export interface EmbeddedBroker {
  /** mqtt://host:port */
  url: string;
  port: number;
  /** Disconnects every client and stops listening. */
  close(): Promise<void>;
}

export async function startEmbeddedBroker(opts: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const host = opts.host ?? '127.0.0.1';
  const broker = await Aedes.createBroker(opts.aedes);
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    broker.handle(socket);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `mqtt://${host}:${port}`,
    port,
    close() {
      closing ??= (async () => {
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        await new Promise<void>((resolve) => broker.close(() => resolve()));
        for (const socket of sockets) socket.destroy();
        await serverClosed;
      })();
      return closing;
    },
  };
}
