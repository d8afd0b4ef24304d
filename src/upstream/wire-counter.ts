import type { TrafficCounter } from '../ocpp/rpc-types.js';
import type { UpstreamTraffic } from './upstream-traffic.js';

/** The byte counters of a TCP socket (net.Socket has them). */
export interface ByteCountingSocket {
  readonly bytesRead: number;
  readonly bytesWritten: number;
}

/** Label of the HTTP upgrade exchange. */
export const HANDSHAKE = '(handshake)';
/** Label of bytes not attributable to a message (pings, pongs, close frames). */
export const CONTROL = '(control)';

/**
 * Counts one upstream connection's traffic. The RPC peer reports each frame (type and text
 * length) as it sends or receives it; the wire bytes come from the TCP socket's counters, so
 * they include WebSocket framing and are the compressed size when permessage-deflate is on.
 * Attribution: bytes read since the last incoming frame belong to that frame (ws has read
 * them before it emits the message); bytes written since the last outgoing frame belong to
 * the previous outgoing frame (compression finishes after the send call returns). Pings and
 * pongs in between are counted with the neighbouring frame; totals per link and day are exact.
 */
export class WireCounter implements TrafficCounter {
  private lastRead = 0;
  private lastWritten = 0;
  private pendingOut: string | undefined;

  constructor(private readonly deps: { link: string; traffic: UpstreamTraffic; socket: ByteCountingSocket }) {}

  /** Attributes everything so far (the upgrade request and response) to the handshake. */
  opened(): void {
    this.flushIn(HANDSHAKE, 0, 0);
    this.flushOut(HANDSHAKE);
  }

  record(direction: 'in' | 'out', action: string, bytes: number): void {
    if (direction === 'in') {
      this.flushIn(action, 1, bytes);
      return;
    }
    this.flushOut(this.pendingOut ?? CONTROL);
    this.deps.traffic.record({ link: this.deps.link, direction: 'out', action, frames: 1, payloadBytes: bytes, wireBytes: 0 });
    this.pendingOut = action;
  }

  /** Brings the counters up to date (before a snapshot; at close): bytes written since the last frame go to it, bytes read to control frames. */
  flush(): void {
    this.flushOut(this.pendingOut ?? CONTROL);
    this.flushIn(CONTROL, 0, 0);
  }

  private flushIn(action: string, frames: number, payloadBytes: number): void {
    const now = this.deps.socket.bytesRead;
    const wireBytes = now - this.lastRead;
    this.lastRead = now;
    if (frames === 0 && wireBytes === 0) return;
    this.deps.traffic.record({ link: this.deps.link, direction: 'in', action, frames, payloadBytes, wireBytes });
  }

  private flushOut(action: string): void {
    const now = this.deps.socket.bytesWritten;
    const wireBytes = now - this.lastWritten;
    this.lastWritten = now;
    if (wireBytes === 0) return;
    this.deps.traffic.record({ link: this.deps.link, direction: 'out', action, frames: 0, payloadBytes: 0, wireBytes });
  }
}
