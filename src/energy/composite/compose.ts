import { anchorContext, relevantProfiles, walkBreakpoints } from './breakpoint-walk.js';
import { type ActiveEntry, localLimitInForce, resolveInstant } from './resolve.js';
import { activePeriodAt } from './schedule-timeline.js';
import type { CompositePeriod, CompositeRequest, CompositeSchedule, EffectiveLimit, TimedLimit } from './types.js';

/**
 * The composite schedule of one EVSE (or of the station, evseId 0) over
 * [nowMs, nowMs + durationS): the CSMS's profiles combined as OCPP specifies (see
 * schedule-timeline.ts for when a profile counts and resolve.ts for how they combine), capped by
 * the hub's local limits and the EVSE's rating.
 *
 * It works on breakpoints, not on a clock tick: the periods change exactly where an input changes
 * (a period or schedule starts or ends, validity begins or ends, a local limit starts or ends),
 * and the composite is evaluated once per breakpoint. Equal neighbours (same limit, phases,
 * source, setpoint, dischargeLimit and operationMode) are merged.
 */

/** The effective limit at one instant, with its source. Any instant, not only within the horizon. */
export function limitAt(req: CompositeRequest, tMs: number): EffectiveLimit {
  const ctx = anchorContext(req);
  const entries: ActiveEntry[] = [];
  for (const profile of relevantProfiles(req)) {
    const period = activePeriodAt(profile, ctx, tMs);
    if (period) entries.push({ profile, period });
  }
  const locals = (req.localLimits ?? []).filter((l) => localLimitInForce(l, tMs));
  return resolveInstant(req, entries, locals);
}

/** Equal neighbours in a composite (merged into one period). */
export function samePeriod(a: EffectiveLimit, b: EffectiveLimit): boolean {
  return a.limit === b.limit && a.numberPhases === b.numberPhases && a.source === b.source
    && a.setpoint === b.setpoint && a.dischargeLimit === b.dischargeLimit && a.operationMode === b.operationMode;
}

export function computeComposite(req: CompositeRequest): CompositeSchedule {
  if (!Number.isFinite(req.nowMs) || !Number.isFinite(req.durationS) || req.durationS < 0) {
    throw new RangeError(`composite needs a finite start and a finite, non-negative duration (got ${req.durationS} s)`);
  }
  const startMs = req.nowMs;
  const endMs = startMs + req.durationS * 1000;
  const locals = req.localLimits ?? [];

  const periods: CompositePeriod[] = [];
  let last: CompositePeriod | undefined;
  const localsNow: TimedLimit[] = [];
  walkBreakpoints(req, startMs, endMs, locals, (t, entries) => {
    localsNow.length = 0;
    for (const l of locals) if (localLimitInForce(l, t)) localsNow.push(l);
    const effective = resolveInstant(req, entries, localsNow);
    if (last && samePeriod(last, effective)) return;
    last = { startOffsetS: (t - startMs) / 1000, ...effective };
    periods.push(last);
  });
  return { evseId: req.evseId, scheduleStartMs: startMs, durationS: req.durationS, rateUnit: req.rateUnit, periods };
}
