import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fc from 'fast-check';
import type { RPCClient } from 'ocpp-rpc';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { startTestHub, ocppClient, boot16, boot2x, type Harness } from '../../helpers/hub-harness.js';
import { parsePromText, sampleValue } from './prom-text.js';

/**
 * Chargers that report energy registers no meter can read (a value that overflows to Infinity
 * once converted to Wh, a negative one, a NaN): strict ocpp-rpc clients, so every message is
 * valid OCPP (1.6 sends the value as a string, 2.0.1 as a number with a power-of-ten multiplier).
 */
const SITE = `
energy: { marginA: 1, debounceMs: 100 }
circuits:
  - { id: main, maxCurrentA: 63, worstCaseNonEvA: 0 }
stations:
  - { id: CP16, securityProfile: 0, evses: [{ id: 1, circuit: main, phases: 3, maxCurrentA: 16 }, { id: 2, circuit: main, phases: 3, maxCurrentA: 16 }] }
  - { id: CP201, securityProfile: 0, evses: [{ id: 1, circuit: main, phases: 3, maxCurrentA: 16 }] }
authorization:
  list: [{ idToken: GOOD-TAG }]
`;

let h: Harness;
let clock: FakeClock;
let cp16: RPCClient;
let cp201: RPCClient;

const iso = (): string => new Date(clock.nowMs()).toISOString();

async function scrape(): Promise<{ status: number; body: string }> {
  const res = await h.hub.api.inject({ method: 'GET', url: '/metrics' });
  return { status: res.statusCode, body: res.body };
}

async function meterValues16(connectorId: number, register: string, unit = 'Wh'): Promise<void> {
  await cp16.call('MeterValues', { connectorId, meterValue: [{ timestamp: iso(), sampledValue: [{ value: register, measurand: 'Energy.Active.Import.Register', unit }] }] });
  clock.advanceMs(1000);
}

let seqNo = 0;
async function transactionEvent201(eventType: 'Started' | 'Updated', sampledValue: Array<Record<string, unknown>>): Promise<void> {
  await cp201.call('TransactionEvent', {
    eventType,
    timestamp: iso(),
    triggerReason: eventType === 'Started' ? 'CablePluggedIn' : 'MeterValuePeriodic',
    seqNo: seqNo++,
    transactionInfo: { transactionId: 'TX-BAD-1' },
    evse: { id: 1, connectorId: 1 },
    meterValue: [{ timestamp: iso(), sampledValue }],
  });
  clock.advanceMs(1000);
}

beforeAll(async () => {
  clock = new FakeClock();
  h = await startTestHub(SITE, { clock });
  cp16 = ocppClient(h.hub.ocppUrl, 'CP16');
  cp16.handle(async () => ({ status: 'Accepted' }));
  await cp16.connect();
  await cp16.call('BootNotification', boot16);
  cp201 = ocppClient(h.hub.ocppUrl, 'CP201', { version: '2.0.1' });
  cp201.handle(async () => ({ status: 'Accepted' }));
  await cp201.connect();
  await cp201.call('BootNotification', boot2x);
});

afterAll(async () => {
  await cp16?.close();
  await cp201?.close();
  await h?.stop();
});

describe('/metrics with chargers reporting impossible energy registers', () => {
  it('still answers when a 1.6 register overflows to Infinity once converted from kWh, and keeps the last valid value', async () => {
    await meterValues16(1, '2.5', 'kWh');
    await meterValues16(1, '1e306', 'kWh');
    const { status, body } = await scrape();
    expect(status).toBe(200);
    expect(sampleValue(parsePromText(body).samples, 'switchyard_evse_energy_joules_total', { evse: 'CP16/1' })).toBe(2500 * 3600);
  });

  it('still answers when 1.6 registers read negative, NaN or Infinity, and exports nothing made up for them', async () => {
    for (const bad of ['-5', 'NaN', 'Infinity', '-1e400', '1e400']) await meterValues16(2, bad);
    const { status, body } = await scrape();
    expect(status).toBe(200);
    expect(sampleValue(parsePromText(body).samples, 'switchyard_evse_energy_joules_total', { evse: 'CP16/2' })).toBeUndefined();
  });

  it('still answers when a 2.0.1 register overflows through its multiplier or becomes NaN, and keeps the last valid value', async () => {
    await transactionEvent201('Started', [{ value: 7, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'kWh' } }]);
    await transactionEvent201('Updated', [{ value: 1e300, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'Wh', multiplier: 9 } }]);
    await transactionEvent201('Updated', [{ value: 0, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'Wh', multiplier: 400 } }]);
    await transactionEvent201('Updated', [{ value: -3, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'kWh' } }]);
    const { status, body } = await scrape();
    expect(status).toBe(200);
    expect(sampleValue(parsePromText(body).samples, 'switchyard_evse_energy_joules_total', { evse: 'CP201/1' })).toBe(7000 * 3600);
  });
});

describe('/metrics under any sequence of register readings from a 1.6 charger', () => {
  /** What the valid readings have counted up to so far (runs go on from each other's end). */
  let totalWh = 10_000;

  it('always answers, exports a counter that never goes down, and counts every impossible reading', async () => {
    const impossible = fc.constantFrom(['-5', 'Wh'], ['NaN', 'Wh'], ['Infinity', 'Wh'], ['1e400', 'Wh'], ['', 'Wh'], ['abc', 'Wh'], ['1e306', 'kWh'], ['-0.5', 'kWh']);
    const reading = fc.oneof(fc.integer({ min: 0, max: 50_000 }).map((stepWh) => ({ stepWh })), impossible.map(([text, unit]) => ({ text: text as string, unit: unit as string })));
    await fc.assert(
      fc.asyncProperty(fc.array(reading, { minLength: 1, maxLength: 12 }), async (readings) => {
        const before = parsePromText((await scrape()).body).samples;
        let previousJ = sampleValue(before, 'switchyard_evse_energy_joules_total', { evse: 'CP16/2' }) ?? 0;
        let rejected = sampleValue(before, 'switchyard_evse_energy_register_rejected_total') ?? 0;
        for (const r of readings) {
          if ('stepWh' in r) {
            totalWh += r.stepWh;
            await meterValues16(2, String(totalWh));
          } else {
            await meterValues16(2, r.text, r.unit);
            rejected++;
          }
          const { status, body } = await scrape();
          expect(status).toBe(200);
          const samples = parsePromText(body).samples;
          const j = sampleValue(samples, 'switchyard_evse_energy_joules_total', { evse: 'CP16/2' });
          if (j !== undefined) {
            expect(Number.isFinite(j)).toBe(true);
            expect(j).toBeGreaterThanOrEqual(previousJ);
            previousJ = j;
          }
          expect(sampleValue(samples, 'switchyard_evse_energy_register_rejected_total')).toBe(rejected);
        }
        if (readings.some((r) => 'stepWh' in r)) expect(previousJ).toBe(totalWh * 3600);
      }),
      { numRuns: 25 },
    );
  });
});
