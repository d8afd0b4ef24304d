import type { ConfigProblem } from './load.js';
import type { SiteConfig } from './schema.js';

const list = (ids: Iterable<string>): string => [...ids].join(', ') || 'none defined';

/**
 * The circuit tree must be a tree whose fuse limits the hub can trust: unique ids, exactly one
 * root, every parent an existing other circuit, no cycle (a cycle would leave its circuits out
 * of every budget), every `meter` a configured meter, and an explicit worst-case non-EV load on
 * the root (without it the base profiles, what chargers keep when the hub is gone, are 0 A).
 */
export function checkCircuits(cfg: SiteConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const ids = new Set<string>();
  cfg.circuits.forEach((c, i) => {
    if (ids.has(c.id)) problems.push({ path: `circuits[${i}].id`, message: 'expected a unique circuit id', found: JSON.stringify(c.id) });
    ids.add(c.id);
  });
  const roots = cfg.circuits.filter((c) => c.parent === undefined);
  if (cfg.circuits.length > 0 && roots.length !== 1) {
    problems.push({ path: 'circuits', message: `expected exactly one root circuit (without parent), found ${roots.length}` });
  }
  const parentOf = new Map(cfg.circuits.map((c) => [c.id, c.parent]));
  const meterIds = new Set(cfg.meters.map((m) => m.id));
  const reportedCycles = new Set<string>();
  cfg.circuits.forEach((c, i) => {
    if (c.parent === c.id) {
      problems.push({ path: `circuits[${i}].parent`, message: 'expected the id of another circuit (a circuit cannot feed itself)', found: JSON.stringify(c.parent) });
    } else if (c.parent !== undefined && !ids.has(c.parent)) {
      problems.push({ path: `circuits[${i}].parent`, message: `expected one of the circuit ids (${list(ids)})`, found: JSON.stringify(c.parent) });
    } else {
      const cycle = cycleFrom(c.id, parentOf);
      const key = cycle ? [...cycle].sort().join(',') : '';
      if (cycle && cycle.length > 1 && !reportedCycles.has(key)) {
        reportedCycles.add(key);
        problems.push({
          path: `circuits[${i}].parent`,
          message: `expected a tree: circuits ${[...cycle, cycle[0]].join(' -> ')} feed each other in a cycle, so none of them is under the root's fuse`,
        });
      }
    }
    if (c.meter !== undefined && !meterIds.has(c.meter)) {
      problems.push({ path: `circuits[${i}].meter`, message: `expected the id of a configured meter (${list(meterIds)})`, found: JSON.stringify(c.meter) });
    }
  });
  const rootIndex = roots.length === 1 ? cfg.circuits.indexOf(roots[0]!) : -1;
  if (rootIndex >= 0 && roots[0]!.worstCaseNonEvA === undefined) {
    problems.push({
      path: `circuits[${rootIndex}].worstCaseNonEvA`,
      message:
        'expected the highest load other than the chargers on the root circuit, A per phase: it sets the base profiles ' +
        '(what the chargers may draw when the hub or its meter is gone) and, without a meter, the load assumed. ' +
        'Write 0 if the circuit feeds only chargers',
    });
  }
  return problems;
}

/** The circuits of the cycle reached by following parents from `start`, if any (in order). */
function cycleFrom(start: string, parentOf: ReadonlyMap<string, string | undefined>): string[] | undefined {
  const path: string[] = [];
  const seen = new Map<string, number>();
  let cur: string | undefined = start;
  while (cur !== undefined && parentOf.has(cur)) {
    const at = seen.get(cur);
    if (at !== undefined) return path.slice(at);
    seen.set(cur, path.length);
    path.push(cur);
    cur = parentOf.get(cur);
  }
  return undefined;
}
