import type { StationUpstream } from '../evse/station-upstream.js';
import type { LinkStatus } from './upstream-link.js';
import type { BudgetView, TrafficDay } from './upstream-traffic.js';
import type { OutboxPressureView } from './outbox-bound.js';
import type { EvseMappingEntry } from './hub-mode/evse-mapping.js';

/** One upstream link as the API shows it. */
export interface LinkView extends LinkStatus {
  /** Messages in the outbox for this link. */
  outboxDepth: number;
}

/** GET /api/upstream. */
export interface UpstreamView {
  mode: 'none' | 'proxy' | 'hub';
  links: LinkView[];
  /** Messages waiting in the outbox over all links. */
  outboxDepth: number;
  /** The outbox against its disk-sized bound: size, pressure, compaction so far. */
  outbox: OutboxPressureView;
  /** Bytes per link, message type and UTC day, oldest day first. */
  traffic: TrafficDay[];
  budget: BudgetView;
  /** hub mode: downstream (station, EVSE, connector) -> upstream (evseId, connectorId), in allocation order. */
  mapping?: readonly EvseMappingEntry[];
  /** hub mode: the site's own BootNotification status at the CSMS. */
  bootStatus?: SiteBootStatus;
}

/** hub mode: where the site's own boot at the CSMS stands. */
export type SiteBootStatus = 'NotSent' | 'Pending' | 'Rejected' | 'Accepted';

/** An upstream mode (proxy or hub) as the hub composes it. */
export interface Upstream {
  readonly mode: 'proxy' | 'hub';
  /** The decision point handed to every station session. */
  readonly stationHooks: StationUpstream;
  /** Opens the links that have to be open from the start (e.g. to drain an outbox left by a crash). */
  start(): void;
  stop(): Promise<void>;
  view(): UpstreamView;
  /** The outbox against its bound, measured now (metrics). */
  outboxPressure(): OutboxPressureView;
}
