/**
 * K12/K13 for the hub as an energy management system in front of its EVSEs: when the hub's own
 * limits (strategies, circuits, failsafe, the site limit; not the CSMS's profiles and not the
 * EVSE's own maximum) bind an EVSE, the CSMS is told with NotifyChargingLimit
 * (chargingLimitSource EMS, with the limit as a one-period schedule); when they stop binding,
 * with ClearedChargingLimit. Rate limits keep it cheap: a new limit is only reported when it
 * differs from the last reported one by more than LimitChangeSignificance (percent of the
 * last), and at most once per `minIntervalS` per EVSE (a change that waits is sent with the next
 * decision after the interval). Pure: state in, state and messages out.
 */
import type { UpstreamMessage } from './wire-2x.js';
import { isoTime } from './wire-2x.js';

/** An EVSE's limit as the controller decided it, mapped to the upstream EVSE. */
export interface EvseLimitNow {
  upstreamEvseId: number;
  limitA: number;
  numberPhases?: 1 | 3;
  /** Source of the limit that bound (e.g. strategy:solar-surplus, circuit:main, csms:profile 7, evse:max). */
  source: string;
}

export interface LimitReportConfig {
  /** LimitChangeSignificance, percent of the last reported limit; the CSMS may change it. */
  significancePercent: number;
  minIntervalS: number;
}

export interface LimitReportState {
  /** Per upstream EVSE: the limit last reported (undefined: none in force) and when. */
  byEvse: Record<number, { reportedA?: number; atMs: number }>;
}

export const EMPTY_LIMIT_REPORTS: LimitReportState = { byEvse: {} };

/**
 * Whether a binding limit is the hub's own decision (strategies, circuits and fuses, rules and
 * overrides, rotation pauses, failsafe, DER). Not: the CSMS's profiles (csms:), the EVSE's own
 * bounds or idleness (evse:), and what the EV draws anyway (ev:draw, the hub only follows it).
 */
export function isLocalLimitSource(source: string): boolean {
  return !(source.startsWith('csms') || source.startsWith('evse:') || source.startsWith('ev:'));
}

function significant(before: number, now: number, percent: number): boolean {
  if ((before === 0) !== (now === 0)) return true;
  const base = Math.max(Math.abs(before), 1e-9);
  return (Math.abs(now - before) / base) * 100 > percent;
}

export function limitReports(state: LimitReportState, config: LimitReportConfig, limits: readonly EvseLimitNow[], nowMs: number): { state: LimitReportState; upstream: UpstreamMessage[] } {
  const upstream: UpstreamMessage[] = [];
  const byEvse = { ...state.byEvse };
  for (const l of limits) {
    const last = byEvse[l.upstreamEvseId];
    if (last && nowMs - last.atMs < config.minIntervalS * 1000) continue;
    const local = isLocalLimitSource(l.source);
    if (!local) {
      if (last?.reportedA === undefined) continue;
      upstream.push({ action: 'ClearedChargingLimit', payload: { chargingLimitSource: 'EMS', evseId: l.upstreamEvseId }, kind: 'periodic' });
      byEvse[l.upstreamEvseId] = { atMs: nowMs };
      continue;
    }
    const limitA = Math.round(l.limitA * 10) / 10;
    if (last?.reportedA !== undefined && !significant(last.reportedA, limitA, config.significancePercent)) continue;
    upstream.push({
      action: 'NotifyChargingLimit',
      payload: {
        evseId: l.upstreamEvseId,
        chargingLimit: { chargingLimitSource: 'EMS' },
        chargingSchedule: [
          {
            id: l.upstreamEvseId,
            startSchedule: isoTime(nowMs),
            chargingRateUnit: 'A',
            chargingSchedulePeriod: [{ startPeriod: 0, limit: limitA, ...(l.numberPhases ? { numberPhases: l.numberPhases } : {}) }],
          },
        ],
      },
      kind: 'periodic',
    });
    byEvse[l.upstreamEvseId] = { reportedA: limitA, atMs: nowMs };
  }
  return { state: upstream.length > 0 ? { byEvse } : state, upstream };
}
