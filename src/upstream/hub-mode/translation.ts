/** The shape every hub-mode translation step returns, and the helpers that build it. */
import { assign, toUpstream, type DownstreamConnectorKey, type EvseMappingEntry } from './evse-mapping.js';
import type { HubState } from './hub-state.js';
import type { UpstreamMessage } from './wire-2x.js';

/** A state with the mapping entries made while producing it. */
export interface Mapped {
  state: HubState;
  entry: EvseMappingEntry;
  added: EvseMappingEntry[];
}

/**
 * The upstream entry of a downstream connector, mapping it now when it is new (a charger that
 * reports a connector the hub has not seen loses nothing: it gets the next upstream EVSE).
 * Undefined for keys that cannot be mapped (EVSE or connector 0).
 */
export function mapConnector(state: HubState, key: DownstreamConnectorKey): Mapped | undefined {
  const known = toUpstream(state.mapping, key);
  if (known) return { state, entry: known, added: [] };
  const { mapping, added } = assign(state.mapping, [key]);
  const entry = added[0];
  if (!entry) return undefined;
  return { state: { ...state, mapping }, entry, added };
}

/**
 * The upstream entry for a downstream EVSE when the connector is not named: its first mapped
 * connector, else connector 1 (mapped now).
 */
export function mapEvse(state: HubState, stationId: string, evseId: number): Mapped | undefined {
  const first = state.mapping.entries
    .filter((e) => e.stationId === stationId && e.evseId === evseId)
    .sort((a, b) => a.connectorId - b.connectorId)[0];
  if (first) return { state, entry: first, added: [] };
  return mapConnector(state, { stationId, evseId, connectorId: 1 });
}

/** Accumulates upstream messages, mapping additions and notes while a step runs. */
export class StepOutput {
  readonly upstream: UpstreamMessage[] = [];
  readonly mappingAdded: EvseMappingEntry[] = [];
  readonly notes: string[] = [];

  send(message: UpstreamMessage): void {
    this.upstream.push(message);
  }

  mapped(m: Mapped): HubState {
    this.mappingAdded.push(...m.added);
    return m.state;
  }

  note(text: string): void {
    this.notes.push(text);
  }
}
