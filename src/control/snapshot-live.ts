import type { OfferStep } from '../energy/draw/draw-at.js';
import type { EvseLiveState, EvseModel } from '../energy/site-model.js';
import type { DispatchSink, SiteInputs } from './controller-types.js';

interface MergedLive {
  from: EvseLiveState | undefined;
  offers: readonly OfferStep[] | undefined;
  controllable: boolean;
  /** What the snapshot holds for the EVSE (undefined: no entry). */
  state: EvseLiveState | undefined;
}

function isMap<V>(x: Record<string, V> | ReadonlyMap<string, V>): x is ReadonlyMap<string, V> {
  return x instanceof Map;
}

/** Offers with the same steps (the dispatcher gives the same array while they do not change). */
function sameOffers(a: readonly OfferStep[] | undefined, b: readonly OfferStep[] | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as OfferStep;
    const y = b[i] as OfferStep;
    if (x.fromMs !== y.fromMs || x.limitA !== y.limitA) return false;
  }
  return true;
}

/**
 * The live states of a decision's snapshot. An EVSE's live state gets the offers sent to it and,
 * when it is uncontrollable, `controllable: false`; the merged state of the last snapshot is used
 * again when its parts did not change (the same live state, equal offers, the same
 * controllability), so a decision over thousands of unchanged EVSEs creates no object per EVSE.
 */
export class LiveMerger {
  /** Per EVSE key, the live state the last snapshot gave it and what it was made of. */
  private readonly merged = new Map<string, MergedLive>();

  liveOf(given: SiteInputs['live'], evses: readonly EvseModel[], dispatcher: DispatchSink): Record<string, EvseLiveState> {
    const live: Record<string, EvseLiveState> = {};
    const liveOf: (key: string) => EvseLiveState | undefined = isMap(given) ? (key) => given.get(key) : (key) => given[key];
    if (isMap(given)) for (const [key, state] of given) live[key] = state;
    else for (const key of Object.keys(given)) live[key] = given[key] as EvseLiveState;
    const withOffers = dispatcher.offersOf !== undefined;
    for (const e of evses) {
      const from = liveOf(e.key);
      const offers = withOffers && from ? (dispatcher.offersOf as (key: string) => readonly OfferStep[]).call(dispatcher, e.key) : undefined;
      const controllable = dispatcher.isControllable(e.key);
      const kept = this.merged.get(e.key);
      if (kept && kept.from === from && kept.controllable === controllable && sameOffers(kept.offers, offers)) {
        if (kept.state) live[e.key] = kept.state;
        continue;
      }
      let state = from;
      if (state && offers && offers.length > 0) state = { ...state, offers };
      // The given state may already say it (LiveEvseState.readControllability): then no copy.
      if (!controllable) state = state?.controllable === false ? state : { ...(state ?? { key: e.key, active: false }), controllable: false };
      else if (state?.controllable === false) state = { ...state, controllable: true };
      if (state) live[e.key] = state;
      // The record is this class's own: updated in place rather than replaced at each change.
      if (kept) {
        kept.from = from;
        kept.offers = offers;
        kept.controllable = controllable;
        kept.state = state;
      } else this.merged.set(e.key, { from, offers, controllable, state });
    }
    return live;
  }

  /** Forgets every kept state (the site's EVSEs changed). */
  clear(): void {
    this.merged.clear();
  }
}
