import { afterEach, describe, expect, it, vi } from 'vitest';
import { randomUUID } from 'node:crypto';
import { startTestHub, ocppClient, boot16, boot2x, type Harness } from '../../helpers/hub-harness.js';
import { systemClock } from '../../../src/util/clock.js';
import { buildSnapshot } from '../../../src/api/dashboard/snapshot.js';
import { factsOf } from '../../../src/api/dashboard/event-log.js';
import type { DashboardProvider } from '../../../src/api/dashboard/dashboard-provider.js';
import { energyQueries } from '../../../src/energy-queries-impl.js';
import { hubQueries } from '../../../src/evse/hub-queries-impl.js';
import { dashboardFacts, powerReadingNow } from '../../../src/hub-dashboard-reads.js';
import { powerReadingOf } from '../../../src/history/power-reading.js';

/**
 * The event watch and the power history read the hub's state directly (hub-dashboard-reads.ts)
 * instead of building a dashboard snapshot: they must give what the snapshot gives. A site with
 * a charging 1.6 station, a 2.0.1 station with one faulted EVSE and one in a transaction, a
 * station that came and went, one that never connected, and a site-limit override.
 */
const SITE = `
site: { voltageV: 230 }
circuits:
  - { id: main, maxCurrentA: 100, worstCaseNonEvA: 0 }
  - { id: row, parent: main, maxCurrentA: 63 }
stations:
  - { id: A16, securityProfile: 0, evses: [{ id: 1, circuit: row, phases: 3, maxCurrentA: 16 }] }
  - { id: B201, securityProfile: 0, evses: [{ id: 1, circuit: row }, { id: 2, circuit: main, phases: 1 }] }
  - { id: C16, securityProfile: 0, evses: [{ id: 1 }] }
  - { id: NEVER, securityProfile: 0, evses: [{ id: 1 }] }
authorization:
  list: [{ idToken: CAR }]
`;

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const ts = () => new Date().toISOString();
const currents = (a: number[]) => a.map((value, i) => ({ value: String(value), measurand: 'Current.Import', phase: `L${i + 1}`, unit: 'A' }));

describe('what the dashboard watch and the power history read without a snapshot', () => {
  it('gives the same event facts and power reading as the full dashboard snapshot', async () => {
    h = await startTestHub(SITE);
    const hub = h.hub;
    // The idle tick's reader: the stations' part read again only after an event that may change it.
    const cached = dashboardFacts({ clock: systemClock(), store: hub.store, registry: hub.registry, energy: hub.energy, onStationEvent: (l) => hub.onStationEvent(l), fullReadEvery: 1_000_000 });
    expect(cached().connected.size).toBe(0);

    const a = ocppClient(hub.ocppUrl, 'A16');
    await a.connect();
    await a.call('BootNotification', boot16);
    await a.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging' });
    const start = (await a.call('StartTransaction', { connectorId: 1, idTag: 'CAR', meterStart: 0, timestamp: ts() })) as { transactionId: number };
    await a.call('MeterValues', { connectorId: 1, transactionId: start.transactionId, meterValue: [{ timestamp: ts(), sampledValue: currents([15.94, 16.03, 15.88]) }] });

    const b = ocppClient(hub.ocppUrl, 'B201', { version: '2.0.1' });
    await b.connect();
    await b.call('BootNotification', boot2x);
    await b.call('StatusNotification', { timestamp: ts(), connectorStatus: 'Faulted', evseId: 1, connectorId: 1 });
    await b.call('StatusNotification', { timestamp: ts(), connectorStatus: 'Occupied', evseId: 2, connectorId: 1 });
    const transactionId = randomUUID();
    await b.call('TransactionEvent', {
      eventType: 'Started', timestamp: ts(), triggerReason: 'Authorized', seqNo: 0,
      transactionInfo: { transactionId, chargingState: 'Charging' }, idToken: { idToken: 'CAR', type: 'ISO14443' }, evse: { id: 2, connectorId: 1 },
      meterValue: [{ timestamp: ts(), sampledValue: [{ value: 9.5, measurand: 'Current.Import', phase: 'L1', unitOfMeasure: { unit: 'A' } }] }],
    });

    const c = ocppClient(hub.ocppUrl, 'C16');
    await c.connect();
    await c.call('BootNotification', boot16);
    await c.call('StatusNotification', { connectorId: 1, errorCode: 'OtherError', status: 'Faulted' });
    await c.close();
    await vi.waitFor(() => expect(hub.registry.get('C16')?.isOpen ?? false).toBe(false), { timeout: 60_000, interval: 20 });

    hub.energy.setSiteLimit(20_000, Date.now() + 3_600_000, 'override:test');
    hub.energy.controller.decideNow('test');

    const clock = systemClock();
    const provider: DashboardProvider = { siteName: 'test', voltageV: 230, site: hub.energy.site, violations: () => hub.energy.lastDecision()?.violations ?? [] };
    const energyApi = energyQueries(hub.energy, clock);
    const snapshot = buildSnapshot({
      site: energyApi.site(),
      evses: energyApi.evses(),
      stations: hubQueries({ store: hub.store, registry: hub.registry, clock, startedMs: 0, upstreamMode: 'none' }).stations(),
      upstream: 'none',
      events: [],
      provider,
    });

    const facts = dashboardFacts({ clock, store: hub.store, registry: hub.registry, energy: hub.energy })();
    expect(facts).toEqual(factsOf(snapshot));
    // The state above is in the facts (so the comparison is not between two empty sets).
    expect([...facts.connected].sort()).toEqual(['A16', 'B201']);
    expect([...facts.transactions.keys()].sort()).toEqual(['A16/1', 'B201/2']);
    expect([...facts.faults]).toEqual([['B201/1', 'Faulted']]);
    expect(facts.siteLimit?.text).toContain('20.0 kW by override:test');
    expect(cached()).toEqual(facts);


    const reading = powerReadingNow({ clock, energy: hub.energy, provider })();
    expect(reading).toEqual(powerReadingOf(snapshot, 230));
    expect(reading.evses.find((e) => e.evseKey === 'A16/1')?.powerW).toBe(Math.round((15.9 + 16 + 15.9) * 230));
    expect(reading.evW).toBeGreaterThan(0);
    expect(reading.limitW).toBe(20_000);

    // A meter reading of a running transaction changes no fact: the site is not read again.
    const activeIds = vi.spyOn(hub.store.transactions, 'activeIds');
    await a.call('MeterValues', { connectorId: 1, transactionId: start.transactionId, meterValue: [{ timestamp: ts(), sampledValue: currents([10, 10, 10]) }] });
    expect(cached()).toEqual(facts);
    expect(activeIds).not.toHaveBeenCalled();
    // Its end does, and so does a station that goes away.
    await a.call('StopTransaction', { transactionId: start.transactionId, meterStop: 1000, timestamp: ts() });
    expect([...cached().transactions.keys()]).toEqual(['B201/2']);
    expect(activeIds).toHaveBeenCalledTimes(1);
    await b.close();
    await vi.waitFor(() => expect([...cached().connected]).toEqual(['A16']), { timeout: 60_000, interval: 20 });
    activeIds.mockRestore();

    await a.close();
  });
});
