import { WebSocket } from 'ws';

/**
 * A raw WebSocket "station": sends frames verbatim (pipelined if wanted) and collects the
 * hub's answers (CALLRESULT / CALLERROR; the hub's own CALLs are left out).
 */
export class RawStation {
  private readonly inbox: unknown[][] = [];
  private waiters: Array<() => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as unknown[];
      if (msg[0] === 2) return;
      this.inbox.push(msg);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async open(url: string, protocol: string, headers: Record<string, string> = {}): Promise<RawStation> {
    const ws = new WebSocket(url, [protocol], { headers });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    return new RawStation(ws);
  }

  send(frame: string): void {
    this.ws.send(frame);
  }

  /** The next answer. */
  async next(): Promise<unknown[]> {
    while (this.inbox.length === 0) await new Promise<void>((r) => this.waiters.push(r));
    return this.inbox.shift() as unknown[];
  }

  /** The answer to the message with this id (answers to other ids are dropped). */
  async answerTo(id: string): Promise<unknown[]> {
    for (;;) {
      const m = await this.next();
      if (m[1] === id) return m;
    }
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise((resolve) => this.ws.once('close', resolve));
    this.ws.close();
    await closed;
  }
}

/** A JSON array nested `levels` deep: [[[...]]]. */
export function deepArrayJson(levels: number): string {
  return `${'['.repeat(levels)}${']'.repeat(levels)}`;
}
