import type { EnterService } from '../../src/der/der-control-types.js';
import { nextUniform } from './seeded-random.js';

/** Per EVSE: waiting for the grid to stay in range long enough, or in service since an instant. */
export type EnterServiceState =
  | { phase: 'waiting'; inRangeSinceMs?: number; randomDelayS: number }
  | { phase: 'in-service'; sinceMs: number };

/**
 * One step of EnterService for an EVSE (pure). An EVSE seen for the first time (just became
 * active) or with the grid outside the windows waits; it enters service once the grid has stayed
 * inside for delay + a random delay (uniform in [0, randomDelay), drawn from the seed when the
 * wait begins). The in-service instant is exact (the grid's in-range instant plus the delays),
 * whatever the decision cadence.
 */
export function stepEnterService(
  prev: EnterServiceState | undefined,
  outside: string | undefined,
  es: EnterService,
  nowMs: number,
  seed: number,
): { state: EnterServiceState; seed: number } {
  const draw = (): { randomDelayS: number; seed: number } => {
    const r = nextUniform(seed);
    return { randomDelayS: Math.max(0, es.randomDelay ?? 0) * r.value, seed: r.seed };
  };
  if (outside !== undefined) {
    if (prev?.phase === 'waiting') return { state: { phase: 'waiting', randomDelayS: prev.randomDelayS }, seed };
    const d = draw();
    return { state: { phase: 'waiting', randomDelayS: d.randomDelayS }, seed: d.seed };
  }
  if (prev?.phase === 'in-service') return { state: prev, seed };
  let waiting: { randomDelayS: number; inRangeSinceMs?: number };
  let nextSeed = seed;
  if (prev?.phase === 'waiting') {
    waiting = prev;
  } else {
    const d = draw();
    waiting = { randomDelayS: d.randomDelayS };
    nextSeed = d.seed;
  }
  const sinceMs = waiting.inRangeSinceMs ?? nowMs;
  const readyMs = sinceMs + (Math.max(0, es.delay ?? 0) + waiting.randomDelayS) * 1000;
  if (nowMs >= readyMs) return { state: { phase: 'in-service', sinceMs: readyMs }, seed: nextSeed };
  return { state: { phase: 'waiting', inRangeSinceMs: sinceMs, randomDelayS: waiting.randomDelayS }, seed: nextSeed };
}
