/**
 * W4: control quality over a simulated day, pure simulation (no sockets): a home-solar day
 * (solar-surplus vs PV-only with a 30 s loop) and a garage day (circuit allocation vs a static
 * equal split). See w4-home-solar.ts and w4-garage.ts for the models.
 */
import type { Benchmark, BenchResult, BenchRow } from './bench-types.js';
import { simulateHomeDay, type HomeCharger } from './w4-home-solar.js';
import { simulateGarageDay } from './w4-garage.js';

function row(metric: string, unit: string, value: number, baseline: number, label: string, digits = 1): BenchRow {
  return { metric, unit, value, baseline: { label, value: baseline }, digits };
}

export const benchmark: Benchmark = {
  name: 'w4',
  workload: 'W4',
  title: 'control quality over a simulated day: home solar vs PV-only 30 s loop; garage vs static equal split',
  async run(progress): Promise<BenchResult> {
    progress('home-solar day, 1 s steps: subject');
    const home = simulateHomeDay('subject');
    progress('home-solar day: baseline (PV-only, 30 s loop)');
    const homeBase = simulateHomeDay('baseline');
    const late: HomeCharger = { followS: 15, reportS: 20 };
    progress(`home-solar day, late charger (follows ${late.followS} s late, reports every ${late.reportS} s): subject`);
    const homeLate = simulateHomeDay('subject', { charger: late });
    progress('home-solar day, late charger: subject without the hold after a change (settleS 0)');
    const homeLateNoHold = simulateHomeDay('subject', { charger: late, settleS: 0 });
    progress('garage day, 200 EVSEs, 10 s steps: baseline (static equal split)');
    const garageBase = simulateGarageDay('baseline');
    progress('garage day: subject (allocation on the circuit tree)');
    const garage = simulateGarageDay('subject', 21, (h) => {
      if (h % 6 === 0) progress(`  garage hour ${h}`);
    });
    const pv = 'PV-only 30 s';
    const noHold = 'same, no hold after a change';
    const eq = 'static equal split';
    return {
      rows: [
        row('home: PV self-consumption', '%', home.selfConsumptionPct, homeBase.selfConsumptionPct, pv),
        row('home: grid import, whole day', 'kWh', home.gridImportKWh, homeBase.gridImportKWh, pv, 2),
        row('home: grid import while the car charged', 'kWh', home.evGridImportKWh, homeBase.evGridImportKWh, pv, 2),
        row('home: energy delivered to the car', 'kWh', home.evDeliveredKWh, homeBase.evDeliveredKWh, pv),
        row('home: car starts (contactor cycles)', '', home.starts, homeBase.starts, pv, 0),
        row('home: overload-seconds', 's', home.overloadS, homeBase.overloadS, pv, 0),
        row('home: limit changes sent (profile writes)', '', home.limitChanges, homeBase.limitChanges, pv, 0),
        row('home, late charger: limit changes sent (profile writes)', '', homeLate.limitChanges, homeLateNoHold.limitChanges, noHold, 0),
        row('home, late charger: PV self-consumption', '%', homeLate.selfConsumptionPct, homeLateNoHold.selfConsumptionPct, noHold),
        row('home, late charger: grid import while the car charged', 'kWh', homeLate.evGridImportKWh, homeLateNoHold.evGridImportKWh, noHold, 2),
        row('home, late charger: energy delivered to the car', 'kWh', homeLate.evDeliveredKWh, homeLateNoHold.evDeliveredKWh, noHold),
        row('garage: overload-seconds', 's', garage.overloadS, garageBase.overloadS, eq, 0),
        row('garage: share of available capacity delivered while EVs wanted more', '%', garage.capacitySharePct, garageBase.capacitySharePct, eq),
        row("garage: Jain's index, 10-12 h, EVs present and wanting all along", '', garage.jain, garageBase.jain, eq, 3),
        row('garage: energy delivered', 'kWh', garage.deliveredKWh, garageBase.deliveredKWh, eq, 0),
      ],
      notes: [
        `home: PV ${home.pvKWh.toFixed(1)} kWh over the day (9 kW peak, clouds seed 11); car 77 kWh from 15 % plugged 07-19 h; 25 A fuse`,
        'home subject: decide() every 1 s with solar-surplus (pv, start 60 s, stop 180 s, 300 W import tolerated); increases at most every 10 s',
        `home, late charger: the EV follows a limit ${late.followS} s after it is sent and the charger reports its current every ${late.reportS} s; subject holds a changed current until settleS (30 s) has passed and a grid reading and a report postdate that`,
        'garage subject: decide() every 10 s from the main meter (previous step), increases at most every 30 s per EVSE; 1 A margin',
        'garage capacity share counts only the main connection (400 A - building - margin); sub-circuits may bind below it',
        "Jain's index is over energy / what the EV could take at its acceptance, so 1-phase and tapering EVs compare fairly",
      ],
    };
  },
};
