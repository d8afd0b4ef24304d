import { afterEach, describe, expect, it } from 'vitest';
import { get, type IncomingMessage } from 'node:http';
import { startTestHub, type Harness } from '../helpers/hub-harness.js';

/** A reader of the dashboard's event stream: `next()` resolves with the next snapshot. */
interface StreamReader {
  res: IncomingMessage;
  next(): Promise<{ viewers: number; nowMs: number }>;
  ended: Promise<void>;
  close(): void;
}

function openStream(url: string): Promise<StreamReader> {
  return new Promise((resolve, reject) => {
    const req = get(url, (res) => {
      const queue: Array<{ viewers: number; nowMs: number }> = [];
      const waiting: Array<(s: { viewers: number; nowMs: number }) => void> = [];
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let i: number;
        while ((i = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          const data = /^event: snapshot\ndata: (.*)$/s.exec(frame)?.[1];
          if (data === undefined) continue;
          const snapshot = JSON.parse(data) as { viewers: number; nowMs: number };
          const w = waiting.shift();
          if (w) w(snapshot);
          else queue.push(snapshot);
        }
      });
      const ended = new Promise<void>((r) => res.on('close', () => r()));
      resolve({
        res,
        ended,
        next: () => new Promise((r) => (queue.length > 0 ? r(queue.shift() as { viewers: number; nowMs: number }) : waiting.push(r))),
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
  });
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

describe('the dashboard stream', () => {
  it('pushes snapshots as server-sent events, forgets pages that went away and lets the hub stop with pages open', async () => {
    h = await startTestHub('site: { name: Stream test }\n');
    const url = `${h.hub.apiUrl}/api/stream`;
    const pages = [await openStream(url), await openStream(url), await openStream(url)];
    expect(pages[0]?.res.headers['content-type']).toMatch(/^text\/event-stream/);
    const survivor = pages[0] as StreamReader;
    let s = await survivor.next();
    while (s.viewers !== 3) s = await survivor.next();

    pages[1]?.close();
    pages[2]?.close();
    while (s.viewers !== 1) s = await survivor.next();
    expect(s.viewers).toBe(1);

    await h.stop();
    h = undefined;
    await survivor.ended;
  });
});
