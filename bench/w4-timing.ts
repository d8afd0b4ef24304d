/**
 * W4 with real timing (issue: control that holds with real chargers): the garage with chargers
 * that report every 10 s and follow limits 5 s late, this release against the earlier release's
 * behaviour in the same run. See w4-garage-timing.ts for the model and the definitions.
 * BENCH_W4T_EVSES (default 200; fuses scale with it), BENCH_W4T_HOURS (default 1, from 08:30).
 */
import type { Benchmark, BenchResult, BenchRow } from './bench-types.js';
import { simulateGarageTiming, type TimingResult } from './w4-garage-timing.js';

const label = 'earlier release (latest-report estimate, no staging, no settle wait, 200 ms window)';

function row(metric: string, unit: string, pick: (r: TimingResult) => number, s: TimingResult, b: TimingResult, digits = 1): BenchRow {
  return { metric, unit, value: pick(s), baseline: { label, value: pick(b) }, digits };
}

export const benchmark: Benchmark = {
  name: 'w4-timing',
  workload: 'W4',
  title: 'garage with 10 s charger reports and 5 s follow delay: hub-caused overload, writes, clawbacks, capacity; vs the earlier release',
  async run(progress): Promise<BenchResult> {
    const evses = Number(process.env.BENCH_W4T_EVSES ?? 200);
    const hours = Number(process.env.BENCH_W4T_HOURS ?? 1);
    const opts = { fromH: 8.5, hours, evses };
    progress(`subject: ${evses} EVSEs, ${hours} h from 08:30, 1 s steps`);
    const s = await simulateGarageTiming('subject', { ...opts, onHour: (h) => progress(`  subject hour ${h}`) });
    progress('baseline: the earlier release\'s behaviour');
    const b = await simulateGarageTiming('baseline', { ...opts, onHour: (h) => progress(`  baseline hour ${h}`) });
    return {
      rows: [
        row('overload-seconds caused by the hub', 's', (r) => r.hubOverloadS, s, b, 0),
        row('overload-seconds, all causes', 's', (r) => r.overloadS, s, b, 0),
        row('profile writes per charger per day (extrapolated)', '', (r) => r.writesPerEvsePerDay, s, b, 0),
        row('most profile writes to one charger in one hour', '', (r) => r.maxWritesPerEvsePerHour, s, b, 0),
        row('clawed-back increases', '', (r) => r.clawbacks, s, b, 0),
        row('share of available capacity delivered while EVs wanted more', '%', (r) => r.capacitySharePct, s, b),
        row('energy delivered', 'kWh', (r) => r.deliveredKWh, s, b),
        row('time to first offer >= minimum, median', 's', (r) => r.firstOfferP50S, s, b),
        row('time to first offer >= minimum, 95th percentile', 's', (r) => r.firstOfferP95S, s, b),
        row('arrivals while capacity allowed their minimum', '', (r) => r.roomyArrivals, s, b, 0),
        row('time to first offer when capacity allowed, median', 's', (r) => r.firstOfferRoomyP50S, s, b),
        row('time to first offer when capacity allowed, 95th percentile', 's', (r) => r.firstOfferRoomyP95S, s, b),
      ],
      notes: [
        `${evses} EVSEs (main ${(400 * evses) / 200} A, four subs of ${(125 * evses) / 200} A), ${hours} h simulated from 08:30 in 1 s steps on a fake clock; the hub's Controller and Dispatcher in process`,
        'chargers report current every 10 s (random phase), EVs follow each new limit 5 s after it was accepted; grid meter = true sum every 1 s; building = office curve + random steps every 2-10 min',
        'hub-caused: over a limit, but not if every EV drew at most what its charger held at the last building rise',
        'time to first offer includes waiting for capacity (EVs arriving into a full garage wait their turn); "when capacity allowed": every circuit phase on its way had its minimum free beyond the building load, the margin and the limits the chargers held at plug-in, and no other EV present waited for an offer (arrivals during the run)',
      ],
    };
  },
};
