import type { SiteModel } from '../../control/site-model-from-config.js';
import type { EventFacts } from './event-log.js';

/**
 * What the dashboard needs from the hub beyond the REST read models: the site model (circuit
 * tree, meter roles), what the guard corrected, and a signal when something changed.
 */
export interface DashboardProvider {
  siteName: string;
  /** Nominal phase voltage, V (turns currents into power). */
  voltageV: number;
  /** Circuit tree, EVSE models and meter roles. */
  site: SiteModel;
  /** What the guard had to correct in the last decision. */
  violations(): string[];
  /** Subscribes to "something changed" (station events, decisions): the stream pushes early. */
  onChange?(listener: () => void): void;
  /** The event log's facts read without a snapshot (the watch then builds none while nobody watches). */
  facts?(): EventFacts;
}
