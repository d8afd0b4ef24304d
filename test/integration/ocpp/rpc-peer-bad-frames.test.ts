import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OcppVersion } from '../../../src/ocpp/versions.js';
import { RawClient, startTestHub, VERSIONS, wire, type TestHub } from './rpc-harness.js';

interface BadInput {
  name: string;
  frame: string | ((v: OcppVersion) => string);
  /** [message id, error code] of the expected CALLERROR, or undefined when it is to be ignored. */
  answer: (v: OcppVersion) => [string, string] | undefined;
}

function bootWithVendor(v: OcppVersion, vendor: unknown): Record<string, unknown> {
  return v === '1.6'
    ? { chargePointVendor: vendor, chargePointModel: 'M' }
    : { reason: 'PowerUp', chargingStation: { vendorName: vendor, model: 'M' } };
}

const BAD_INPUTS: BadInput[] = [
  { name: 'text that is not JSON', frame: 'hello{', answer: (v) => ['-1', wire.framework[v]] },
  { name: 'a JSON object', frame: '{"a":1}', answer: (v) => ['-1', wire.framework[v]] },
  { name: 'an empty array', frame: '[]', answer: (v) => ['-1', wire.framework[v]] },
  { name: 'a string message type', frame: '["2","m1","Heartbeat",{}]', answer: (v) => ['-1', wire.framework[v]] },
  { name: 'a numeric message id', frame: '[2,17,"Heartbeat",{}]', answer: (v) => ['-1', wire.framework[v]] },
  { name: 'a numeric action', frame: '[2,"m1",7,{}]', answer: (v) => ['m1', wire.framework[v]] },
  { name: 'a CALL without payload', frame: '[2,"m1","Heartbeat"]', answer: (v) => ['m1', wire.framework[v]] },
  { name: 'a CALL with an array payload', frame: '[2,"m1","Heartbeat",[]]', answer: (v) => ['m1', wire.format[v]] },
  { name: 'a CALL with a null payload', frame: '[2,"m1","Heartbeat",null]', answer: (v) => ['m1', wire.format[v]] },
  {
    name: 'an unknown message type',
    frame: '[9,"m1","Heartbeat",{}]',
    // 1.6 defines no code for it and says to ignore it; 2.x answer MessageTypeNotSupported.
    answer: (v) => (v === '1.6' ? undefined : ['m1', 'MessageTypeNotSupported']),
  },
  { name: 'an action the version does not know', frame: '[2,"m1","MakeCoffee",{}]', answer: () => ['m1', 'NotImplemented'] },
  {
    name: 'a known action without a handler',
    frame: '[2,"m1","DataTransfer",{"vendorId":"x"}]',
    answer: () => ['m1', 'NotImplemented'],
  },
  {
    name: 'a payload missing a required field',
    frame: '[2,"m1","BootNotification",{}]',
    answer: (v) => ['m1', wire.occurrence[v]],
  },
  {
    name: 'a payload with an unknown field',
    frame: '[2,"m1","Heartbeat",{"extra":1}]',
    answer: () => ['m1', 'PropertyConstraintViolation'],
  },
  {
    name: 'a field of the wrong type',
    frame: (v) => JSON.stringify([2, 'm1', 'BootNotification', bootWithVendor(v, 5)]),
    answer: () => ['m1', 'TypeConstraintViolation'],
  },
  {
    name: 'a string longer than the schema allows',
    frame: (v) => JSON.stringify([2, 'm1', 'BootNotification', bootWithVendor(v, 'V'.repeat(60))]),
    answer: (v) => ['m1', wire.format[v]],
  },
  { name: 'a CALLRESULT for an unknown message id', frame: '[3,"nobody",{}]', answer: () => undefined },
  { name: 'a CALLERROR for an unknown message id', frame: '[4,"nobody","GenericError","",{}]', answer: () => undefined },
];

describe.each(VERSIONS)('RpcPeer facing malformed input, OCPP %s', (version) => {
  let hub: TestHub;
  let raw: RawClient;

  beforeEach(async () => {
    hub = await startTestHub({ version, options: { maxFrameBytes: 2048 } });
    raw = await RawClient.connect(hub.url('CP-RAW'), version);
  });

  afterEach(async () => {
    await raw.close();
    await hub.stop();
  });

  it.each(BAD_INPUTS)('answers $name as OCPP says and keeps the session usable', async ({ frame, answer }) => {
    raw.send(typeof frame === 'string' ? frame : frame(version));
    const seen = await raw.heartbeatRoundTrip();
    const expected = answer(version);
    if (expected === undefined) {
      expect(seen).toEqual([]);
    } else {
      expect(seen).toHaveLength(1);
      expect(seen[0]).toEqual([4, expected[0], expected[1], expect.any(String), expect.any(Object)]);
    }
  });

  it('answers a CALL larger than maxFrameBytes with a CALLERROR carrying its id', async () => {
    raw.send(JSON.stringify([2, 'big-1', 'DataTransfer', { vendorId: 'x', data: 'y'.repeat(4000) }]));
    const seen = await raw.heartbeatRoundTrip();
    expect(seen).toEqual([[4, 'big-1', wire.format[version], expect.stringContaining('exceeds'), {}]]);
  });

  it('answers an oversize frame whose id cannot be read with id -1', async () => {
    raw.send('x'.repeat(5000));
    const seen = await raw.heartbeatRoundTrip();
    expect(seen).toEqual([[4, '-1', wire.format[version], expect.any(String), {}]]);
  });

  it('keeps the error description within 255 characters', async () => {
    raw.send(JSON.stringify([2, 'm1', 'A'.repeat(400), {}]));
    const [answer] = await raw.heartbeatRoundTrip();
    expect(answer?.[3]).toEqual(expect.any(String));
    expect(String(answer?.[3]).length).toBeLessThanOrEqual(255);
  });

  it('answers a second CALL with an id still being processed with a framework error', async () => {
    let release: () => void = () => undefined;
    const peer = await hub.nextPeer();
    peer.handle('DataTransfer', () => new Promise((resolve) => (release = () => resolve({ status: 'Accepted' }))));
    raw.send([2, 'same', 'DataTransfer', { vendorId: 'x' }]);
    raw.send([2, 'same', 'DataTransfer', { vendorId: 'x' }]);
    expect(await raw.next()).toEqual([4, 'same', wire.framework[version], expect.any(String), {}]);
    release();
    expect(await raw.next()).toEqual([3, 'same', { status: 'Accepted' }]);
  });
});
