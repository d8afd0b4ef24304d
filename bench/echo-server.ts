/**
 * The baseline server for the scale benchmark, run as its own process: a bare `ws` server that
 * accepts any OCPP subprotocol and answers every CALL at once with an empty CALLRESULT
 * ([3, id, {}]). No validation, no storage: what any OCPP server costs at the least.
 * Prints {"port": N} on stdout once it listens.
 */
import { WebSocketServer } from 'ws';

const server = new WebSocketServer({
  host: '127.0.0.1',
  port: 0,
  handleProtocols: (protocols) => protocols.values().next().value ?? false,
});

server.on('connection', (socket) => {
  socket.on('message', (data) => {
    let frame: unknown;
    try {
      frame = JSON.parse(data.toString());
    } catch {
      return;
    }
    if (Array.isArray(frame) && frame[0] === 2 && typeof frame[1] === 'string') {
      socket.send(JSON.stringify([3, frame[1], {}]));
    }
  });
  socket.on('error', () => socket.terminate());
});

server.on('listening', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});
