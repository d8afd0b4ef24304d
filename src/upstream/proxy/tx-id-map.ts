import type { StationStateRepo } from '../../store/station-state-repo.js';

const HUB_TO_CSMS = 'upstream.tx16.csmsIdOf.';
const CSMS_TO_HUB = 'upstream.tx16.hubIdOf.';

/**
 * OCPP 1.6 in proxy mode: a station always gets a hub-assigned transaction id (online or not),
 * so its ids never collide with ids the CSMS hands out later. The CSMS's id arrives with its
 * StartTransaction answer (live or on replay) and is kept here, durably, in both directions.
 */
export class TxIdMap {
  constructor(private readonly deps: { state: StationStateRepo }) {}

  set(stationId: string, hubId: number, csmsId: number): void {
    this.deps.state.set(stationId, HUB_TO_CSMS + hubId, csmsId);
    this.deps.state.set(stationId, CSMS_TO_HUB + csmsId, hubId);
  }

  csmsIdOf(stationId: string, hubId: number): number | undefined {
    const v = this.deps.state.get(stationId, HUB_TO_CSMS + hubId);
    return typeof v === 'number' ? v : undefined;
  }

  hubIdOf(stationId: string, csmsId: number): number | undefined {
    const v = this.deps.state.get(stationId, CSMS_TO_HUB + csmsId);
    return typeof v === 'number' ? v : undefined;
  }
}
