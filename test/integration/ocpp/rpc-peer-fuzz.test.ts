import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RpcPeer } from '../../../src/ocpp/rpc-peer.js';
import type { OcppVersion } from '../../../src/ocpp/versions.js';
import { RawClient, startTestHub, type TestHub } from './rpc-harness.js';

const ACTIONS = ['Heartbeat', 'BootNotification', 'StatusNotification', 'DataTransfer', 'ClearCache', 'MakeCoffee'];

/** Ids the round-trip sentinel uses are kept out of generated CALLs. */
const messageId = fc.oneof(fc.string({ maxLength: 40 }), fc.integer(), fc.constant(null)).filter(
  (id) => typeof id !== 'string' || !id.startsWith('hb-'),
);

/** A JSON value wrapped in `levels` random arrays/objects (deep enough to blow a recursive walker). */
const deepValue = fc
  .tuple(fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 20_000 }), fc.jsonValue({ maxDepth: 1 }))
  .map(([pattern, levels, leaf]) => {
    let open = '';
    let close = '';
    for (let i = 0; i < levels; i++) {
      const arr = pattern[i % pattern.length];
      open += arr ? '[' : '{"k":';
      close = (arr ? ']' : '}') + close;
    }
    return `${open}${JSON.stringify(leaf)}${close}`;
  });

/** Frames whose payload, id or action position holds a deeply nested value. */
const deepFrames: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.constantFrom(2, 3, 6), fc.string({ maxLength: 36 }).filter((id) => !id.startsWith('hb-')), fc.constantFrom(...ACTIONS), deepValue).map(
    ([type, id, action, deep]) => (type === 3 ? `[3,${JSON.stringify(id)},{"v":${deep}}]` : `[${type},${JSON.stringify(id)},"${action}",{"customData":${deep}}]`),
  ),
  deepValue.map((deep) => `[2,${deep},"Heartbeat",{}]`),
  deepValue,
);

const frames: fc.Arbitrary<string> = fc.oneof(
  deepFrames,
  fc.string(),
  fc.json(),
  fc.array(fc.jsonValue(), { maxLength: 6 }).map((a) => JSON.stringify(a)),
  fc
    .tuple(
      fc.constantFrom(2, 3, 4, 5, 6, 7, 0, -1, 2.5),
      messageId,
      fc.oneof(fc.constantFrom(...ACTIONS), fc.string(), fc.integer()),
      fc.jsonValue(),
    )
    .map((t) => JSON.stringify(t)),
  fc
    .tuple(
      fc.string({ maxLength: 36 }).filter((id) => !id.startsWith('hb-')),
      fc.constantFrom(...ACTIONS),
      fc.dictionary(fc.constantFrom('chargePointVendor', 'chargePointModel', 'vendorId', 'reason', 'x'), fc.jsonValue()),
    )
    .map(([id, action, payload]) => JSON.stringify([2, id, action, payload])),
);

/** The id of a frame that is a CALL, i.e. [2, "<string id>", ...]; undefined otherwise. */
function callId(text: string): string | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (Array.isArray(value) && value[0] === 2 && typeof value[1] === 'string') return value[1];
  } catch {
    return undefined;
  }
  return undefined;
}

describe.each<[OcppVersion, boolean]>([
  ['1.6', true],
  ['2.0.1', true],
  ['2.1', true],
  ['2.0.1', false],
])('RpcPeer under random frames, OCPP %s, strict %s', (version, strict) => {
  let hub: TestHub;
  let raw: RawClient;
  let peer: RpcPeer;

  beforeAll(async () => {
    hub = await startTestHub({
      version,
      options: { strict },
      setup: (p) => {
        p.handle('StatusNotification', () => {
          throw new Error('handler failure');
        });
        if (!strict) p.handleAny((ctx) => ({ echoed: ctx.action }));
      },
    });
    raw = await RawClient.connect(hub.url('CP-FUZZ'), version);
    peer = await hub.nextPeer();
  });

  afterAll(async () => {
    await raw.close();
    await hub.stop();
  });

  it('answers every CALL exactly once, anything else at most once, and keeps answering Heartbeats', async () => {
    await fc.assert(
      fc.asyncProperty(frames, async (text) => {
        raw.send(text);
        const seen = await raw.heartbeatRoundTrip();
        const id = callId(text);
        if (id !== undefined) {
          expect(seen).toHaveLength(1);
          expect(seen[0]?.[1]).toBe(id);
          expect([3, 4]).toContain(seen[0]?.[0]);
        } else {
          expect(seen.length).toBeLessThanOrEqual(1);
          if (seen.length === 1) expect(seen[0]?.[0]).toBe(4);
        }
      }),
      { numRuns: 150 },
    );
    expect(peer.isClosed).toBe(false);
  });
});
