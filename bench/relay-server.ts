/**
 * A baseline for proxy-mode latency, run as its own process: a bare `ws` relay that forwards
 * every frame of a station to the CSMS over its own connection (same identity and subprotocol)
 * and every frame back, verbatim. No parsing, no validation, no storage: what any forwarder in
 * its own Node process costs at the least on this machine (two more socket hops, two more
 * wake-ups). Argument: the CSMS's base URL. Prints {"port": N} on stdout once it listens.
 * A second argument, microseconds, makes it spin that long on the CPU for every frame it
 * forwards (both ways): a forwarder with a given CPU cost per call and nothing else.
 */
import { WebSocket, WebSocketServer, type RawData } from 'ws';

const upstreamBase = process.argv[2] ?? '';
if (upstreamBase === '') throw new Error('usage: relay-server <csms base url> [busy µs per frame]');
const busyNs = BigInt(Math.round(Number(process.argv[3] ?? 0) * 1000));

/** Spins on the CPU for busyNs (a stand-in for a forwarder's own work on a frame). */
function busy(): void {
  if (busyNs === 0n) return;
  const until = process.hrtime.bigint() + busyNs;
  while (process.hrtime.bigint() < until);
}

const server = new WebSocketServer({
  host: '127.0.0.1',
  port: 0,
  perMessageDeflate: false,
  handleProtocols: (protocols) => protocols.values().next().value ?? false,
});

server.on('connection', (station, req) => {
  const identity = (req.url ?? '/').split('/').pop() ?? '';
  const upstream = new WebSocket(`${upstreamBase}/${identity}`, station.protocol ? [station.protocol] : [], { perMessageDeflate: false });
  const waiting: RawData[] = [];
  station.on('message', (data, isBinary) => {
    busy();
    if (upstream.readyState === WebSocket.OPEN) upstream.send(data, { binary: isBinary });
    else waiting.push(data);
  });
  upstream.on('open', () => {
    for (const data of waiting.splice(0)) upstream.send(data, { binary: false });
  });
  upstream.on('message', (data, isBinary) => {
    busy();
    station.send(data, { binary: isBinary });
  });
  const closeBoth = (): void => {
    station.terminate();
    upstream.terminate();
  };
  station.on('close', closeBoth);
  upstream.on('close', closeBoth);
  station.on('error', closeBoth);
  upstream.on('error', closeBoth);
});

server.on('listening', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});
