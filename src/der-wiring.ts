/**
 * Composition of OCPP 2.1 DER control (src/der/, strategies/der/): in hub mode on a 2.1 link the
 * site answers the CSMS's SetDERControl / GetDERControl / ClearDERControl through a DerService,
 * the DER strategy runs last in the controller (in every operation mode), and readings of the
 * grid meter raise NotifyDERAlarm upstream. In the other modes DER control is off. Wiring only.
 */
import type { SiteConfig } from './config/schema.js';
import type { Clock } from './util/clock.js';
import type { Logger } from './util/logger.js';
import type { Store } from './store/store.js';
import type { Strategy } from './energy/strategy.js';
import type { MeterReading } from './energy/meter-reading.js';
import type { Upstream } from './upstream/upstream.js';
import { HubUpstream } from './upstream/hub/hub-upstream.js';
import { DerRepo, DerService, derAlarmThresholdsOf, derStrategyParamsOf, registerDerHandlers, type DerControl } from './der/index.js';
import { createDerStrategy } from '../strategies/der/index.js';

export interface DerWiringDeps {
  config: SiteConfig;
  upstream: Upstream | undefined;
  store: Store;
  clock: Clock;
  log: Logger;
  /** Asks the controller for a decision (the controls in force may have changed). */
  onChange: (reason: string) => void;
}

/** One DER control in force, as the API shows it. */
export interface DerControlView {
  controlId: string;
  controlType: string;
  isDefault: boolean;
  /** 0 is the highest. */
  priority: number;
  /** Scheduled controls: validity window from startMs for durationS. */
  startMs?: number;
  durationS?: number;
}

export interface DerWiring {
  readonly service: DerService;
  /** The DER strategy for the controller: last, not restricted by operation mode. */
  readonly strategy: Strategy<unknown>;
  /** Meter id whose readings raise DER alarms (der.gridMeter, else the meter with role grid). */
  readonly gridMeterId: string | undefined;
  /** Feed of meter readings: the grid meter's go to the alarm watch, others are ignored. */
  onMeterReading(reading: MeterReading): void;
  /** The controls in force now, one per control type. */
  inForce(): DerControlView[];
  start(): void;
  stop(): void;
}

/**
 * The DER wiring when the site speaks OCPP 2.1 to its CSMS in hub mode; undefined otherwise
 * (a `der` block is then reported as ignored). Handlers are registered on the link here, before
 * it opens; they take precedence over the hub's translator for the other CSMS calls.
 */
export function createDerWiring(deps: DerWiringDeps): DerWiring | undefined {
  const { config, upstream, store, clock } = deps;
  const log = deps.log.child({ part: 'der' });
  const der = config.der;
  if (!(upstream instanceof HubUpstream) || config.upstream.version !== '2.1') {
    if (der) {
      log.warn(
        { upstreamMode: config.upstream.mode, version: config.upstream.version },
        'der block ignored: DER control runs in upstream mode hub with version 2.1 only',
      );
    }
    return undefined;
  }
  const gate = upstream.gate;
  const thresholds = der ? derAlarmThresholdsOf(der) : undefined;
  const service = new DerService({
    clock,
    log,
    // Through the site's boot gate: nothing goes to the CSMS before the site is accepted.
    send: (action, payload) => gate.call(action, payload),
    repo: new DerRepo({ db: store.db, clock }),
    ...(thresholds ? { alarmThresholds: thresholds } : {}),
    onChange: deps.onChange,
  });
  registerDerHandlers(upstream.link, { service });
  const strategy = createDerStrategy(der ? derStrategyParamsOf(der) : {}, { controls: () => service.state });
  const gridMeterId = der?.gridMeter ?? config.meters.find((m) => m.role === 'grid')?.id;
  if (thresholds && gridMeterId === undefined) log.warn('der.alarms set but there is no grid meter: no DER alarms');
  return {
    service,
    strategy,
    gridMeterId,
    onMeterReading(reading) {
      if (reading.meterId === gridMeterId) service.onMeterReading(reading);
    },
    inForce: () => Object.values(service.inForce()).filter((c): c is DerControl => c !== undefined).map(viewOf),
    start() {
      service.start();
      log.info({ gridMeterId, alarms: thresholds !== undefined, controls: service.state.controls.length }, 'DER control on (OCPP 2.1 hub mode)');
    },
    stop: () => service.stop(),
  };
}

function viewOf(c: DerControl): DerControlView {
  return {
    controlId: c.controlId,
    controlType: c.controlType,
    isDefault: c.isDefault,
    priority: c.priority,
    ...(c.startMs !== undefined ? { startMs: c.startMs } : {}),
    ...(c.durationS !== undefined ? { durationS: c.durationS } : {}),
  };
}
