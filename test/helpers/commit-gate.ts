import type { Harness } from './hub-harness.js';

/**
 * A held gate: `wait` is what the gated step awaits (it marks `entered`); `open()` / `fail()`
 * settle it. `install(undefined)` restores the ungated step before settling.
 */
function heldGate(install: (gate: (() => Promise<void>) | undefined) => void): { entered: Promise<void>; open: () => void; fail: (err: Error) => void } {
  let entered!: () => void;
  const enteredP = new Promise<void>((resolve) => (entered = resolve));
  let settle!: { resolve: () => void; reject: (err: Error) => void };
  const gate = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  install(() => {
    entered();
    return gate;
  });
  return {
    entered: enteredP,
    open: () => {
      install(undefined);
      settle.resolve();
    },
    fail: (err) => {
      install(undefined);
      settle.reject(err);
    },
  };
}

/**
 * A gate for the store's end-of-turn commits (GroupCommit.gateCommits): `entered` once a commit
 * waits on it; `open()` lets it commit, `fail()` fails it as a SQLite error would (rolled back).
 */
export function holdCommits(harness: Harness): { entered: Promise<void>; open: () => void; fail: (err: Error) => void } {
  return heldGate((gate) => harness.hub.store.batch.gateCommits(gate));
}

/** Fails the next commit of the store, once it is reached. */
export async function failNextCommit(harness: Harness): Promise<void> {
  const gate = holdCommits(harness);
  await gate.entered;
  gate.fail(new Error('database or disk is full'));
}

/**
 * Sends a call whose batch's commit fails as a full disk would (after the batch of the turn
 * before is committed); resolves or rejects with the station's outcome.
 */
export async function callWithFailedCommit(harness: Harness, station: { call: (action: string, payload: unknown) => Promise<unknown> }, action: string, payload: unknown): Promise<unknown> {
  await new Promise((resolve) => setImmediate(resolve));
  const gate = holdCommits(harness);
  const call = station.call(action, payload);
  call.catch(() => undefined);
  await gate.entered;
  gate.fail(new Error('database or disk is full'));
  return call;
}

/**
 * A gate for the store's background syncs of the log (GroupCommit.gateSyncs): commits are written
 * at once, their fsync waits. `entered` once a sync waits on it; `open()` lets every held and
 * later sync run.
 */
export function holdSyncs(harness: Harness): { entered: Promise<void>; open: () => void } {
  const { entered, open } = heldGate((gate) => harness.hub.store.batch.gateSyncs(gate));
  return { entered, open };
}

/**
 * Holds each background sync of the log apart (GroupCommit.gateSyncs): `nth(i)` resolves once the
 * i-th sync since the call (from 0) waits, with an `open()` of its own; `openAll()` lets every
 * held and later sync run.
 */
export function holdEachSync(harness: Harness): { nth: (i: number) => Promise<{ open: () => void }>; openAll: () => void } {
  const held: Array<{ open: () => void }> = [];
  const waiting = new Map<number, (sync: { open: () => void }) => void>();
  const { batch } = harness.hub.store;
  batch.gateSyncs(
    () =>
      new Promise<void>((resolve) => {
        const sync = { open: () => resolve() };
        held.push(sync);
        waiting.get(held.length - 1)?.(sync);
      }),
  );
  return {
    nth: (i) => {
      const sync = held[i];
      return sync ? Promise.resolve(sync) : new Promise((resolve) => waiting.set(i, resolve));
    },
    openAll: () => {
      batch.gateSyncs(undefined);
      for (const sync of held) sync.open();
    },
  };
}
