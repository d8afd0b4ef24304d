export type {
  CompositePeriod, CompositeRequest, CompositeSchedule, EffectiveLimit, EvseRating, RunningTransaction, TimedLimit,
} from './types.js';
export { computeComposite, limitAt } from './compose.js';
export { relevantProfiles } from './breakpoint-walk.js';
export { activePeriodAt, profileSegments, CYCLE_S } from './schedule-timeline.js';
export {
  installProfile, tryInstallProfile, validityOverlaps, clearProfiles, type ClearCriteria, type InstallOptions, type InstallResult, type SameStackRule,
} from './profile-store.js';
export { validateProfile, type ProfileContext } from './validate-profile.js';
export { CompositeEngine } from './composite-engine.js';
