/**
 * Lifetime energy the hub keeps for Home Assistant's Energy dashboard and the metrics: each
 * EVSE's import register as its charger reports it, and the site's grid import / export and PV
 * energy from the meters. They are kept in the store's per-station values and the site's own. Wiring only.
 */
import type { SiteConfig } from './config/schema.js';
import type { Clock } from './util/clock.js';
import type { Logger } from './util/logger.js';
import type { StationValues } from './store/station-state-repo.js';
import type { SiteValues } from './store/site-state-repo.js';
import type { TransactionRepo } from './store/transaction-repo.js';
import type { StationEvent } from './evse/station-service.js';
import type { MeterReading } from './energy/meter-reading.js';
import type { SiteModel } from './control/site-model-from-config.js';
import { EnergyRegisters } from './evse/energy-registers.js';
import { SiteEnergy } from './meters/site-energy.js';

export interface EnergyTotalsDeps {
  config: SiteConfig;
  clock: Clock;
  /** Where a charger's impossible register reading is told. */
  log: Logger;
  values: StationValues;
  siteValues: SiteValues;
  /** To find the EVSE of a transaction event that does not name it. */
  transactions: Pick<TransactionRepo, 'get'>;
  meterRoles: SiteModel['meterRoles'];
}

export class EnergyTotals {
  /** Each EVSE's lifetime import register, as its charger last reported it. */
  readonly registers: EnergyRegisters;
  /** The site's lifetime grid import / export and PV energy. */
  readonly siteEnergy: SiteEnergy;

  constructor(private readonly deps: EnergyTotalsDeps) {
    this.registers = new EnergyRegisters({ values: deps.values, log: deps.log });
    const staleAfterS = new Map(deps.config.meters.map((m) => [m.id, m.staleAfterS]));
    this.siteEnergy = new SiteEnergy({ values: deps.siteValues, clock: deps.clock, meterRoles: deps.meterRoles, maxGapSOf: (id) => staleAfterS.get(id) ?? 10 });
  }

  /** Takes the registers of a station's meter values (in a transaction or outside one). */
  onStationEvent(e: StationEvent): void {
    if (e.kind === 'meterValues') this.registers.observe(e.stationId, e.evseId, e.meterValues);
    if (e.kind === 'transaction') {
      const evseId = e.event.evseId ?? this.deps.transactions.get(e.event.stationId, e.event.transactionId)?.evseId;
      if (evseId !== undefined) this.registers.observe(e.event.stationId, evseId, e.event.meterValues);
    }
  }

  onReading(reading: MeterReading): void {
    this.siteEnergy.onReading(reading);
  }

  start(): void {
    this.siteEnergy.start();
  }

  /** Stops the timer and stores the site totals. */
  stop(): void {
    this.siteEnergy.stop();
  }
}
