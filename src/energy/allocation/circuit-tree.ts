import type { LimitSource } from '../limit.js';
import type { CircuitNode } from '../site-model.js';

/** The circuit tree indexed for allocation. Orphans (unknown parent) and cycle breakers act as roots. */
export interface CircuitTree {
  byId: ReadonlyMap<string, CircuitNode>;
  /** Parents before children. */
  topDown: readonly CircuitNode[];
  children: ReadonlyMap<string, readonly string[]>;
  /** Parent id as used by the tree (undefined for a root). */
  parentOf: ReadonlyMap<string, string | undefined>;
}

/** The last tree built from each circuits array, with the nodes, ids and parents it was built from. */
const treeMemo = new WeakMap<readonly CircuitNode[], { nodes: CircuitNode[]; ids: string[]; parents: (string | undefined)[]; tree: CircuitTree }>();

/**
 * The tree of a circuits array. Built once per array while its nodes, their ids and parents stay
 * the same (a decision asks for it several times, and every decision for the same site): the
 * tree is read-only and shared.
 */
export function buildCircuitTree(circuits: readonly CircuitNode[]): CircuitTree {
  const memo = treeMemo.get(circuits);
  if (memo && memo.nodes.length === circuits.length && circuits.every((c, i) => c === memo.nodes[i] && c.id === memo.ids[i] && c.parentId === memo.parents[i])) return memo.tree;
  const tree = buildTree(circuits);
  treeMemo.set(circuits, { nodes: [...circuits], ids: circuits.map((c) => c.id), parents: circuits.map((c) => c.parentId), tree });
  return tree;
}

function buildTree(circuits: readonly CircuitNode[]): CircuitTree {
  const byId = new Map<string, CircuitNode>();
  for (const c of circuits) if (!byId.has(c.id)) byId.set(c.id, c);

  const parentOf = new Map<string, string | undefined>();
  for (const c of byId.values()) {
    const p = c.parentId;
    parentOf.set(c.id, p !== undefined && p !== c.id && byId.has(p) ? p : undefined);
  }
  // Break cycles: walking up from any node must end at a root.
  for (const id of byId.keys()) {
    const seen = new Set<string>([id]);
    let cur = parentOf.get(id);
    let prev = id;
    while (cur !== undefined) {
      if (seen.has(cur)) {
        parentOf.set(prev, undefined);
        break;
      }
      seen.add(cur);
      prev = cur;
      cur = parentOf.get(cur);
    }
  }

  const children = new Map<string, string[]>();
  for (const id of byId.keys()) children.set(id, []);
  for (const [id, p] of parentOf) if (p !== undefined) children.get(p)?.push(id);

  const topDown: CircuitNode[] = [];
  const stack = [...byId.keys()].filter((id) => parentOf.get(id) === undefined).reverse();
  while (stack.length > 0) {
    const id = stack.pop() as string;
    const node = byId.get(id);
    if (node) topDown.push(node);
    const kids = children.get(id) ?? [];
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i] as string);
  }
  return { byId, topDown, children, parentOf };
}

const pathMemo = new WeakMap<CircuitTree, Map<string, readonly string[]>>();
const NO_PATH: readonly string[] = [];

/** Circuit ids from `id` up to its root, `id` first; empty when the circuit is unknown. Shared per tree: never changed. */
export function pathToRoot(tree: CircuitTree, id: string): readonly string[] {
  let paths = pathMemo.get(tree);
  if (!paths) {
    paths = new Map();
    pathMemo.set(tree, paths);
  }
  const known = paths.get(id);
  if (known) return known;
  if (!tree.byId.has(id)) return NO_PATH;
  const path: string[] = [];
  let cur: string | undefined = id;
  while (cur !== undefined) {
    path.push(cur);
    cur = tree.parentOf.get(cur);
  }
  paths.set(id, path);
  return path;
}

/** All circuit ids in the subtree of `id`, itself included. */
export function subtreeOf(tree: CircuitTree, id: string): string[] {
  const out: string[] = [];
  const stack = [id];
  while (stack.length > 0) {
    const cur = stack.pop() as string;
    if (!tree.byId.has(cur)) continue;
    out.push(cur);
    for (const k of tree.children.get(cur) ?? []) stack.push(k);
  }
  return out;
}

/** `fuse:<id>` for a root (the grid connection), `circuit:<id>` below it. */
export function circuitSource(tree: CircuitTree, id: string): LimitSource {
  return tree.parentOf.get(id) === undefined ? `fuse:${id}` : `circuit:${id}`;
}
