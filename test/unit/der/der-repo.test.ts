import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../../src/store/database.js';
import { afterEach, describe, expect, it } from 'vitest';
import { EMPTY_DER_STATE, setDerControl } from '../../../src/der/der-control-store.js';
import { DerRepo } from '../../../src/der/der-repo.js';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { aFreqDroop, aGradient, aLimitMaxDischarge, T0_MS } from './der-builders.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function dbFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'der-repo-'));
  dirs.push(dir);
  return join(dir, 'hub.db');
}

describe('DER repository', () => {
  it('keeps accepted controls across a reopen of the database, with their order', () => {
    const file = dbFile();
    const clock = new FakeClock(T0_MS);
    let state = EMPTY_DER_STATE;
    for (const r of [aFreqDroop(), aGradient(20), aLimitMaxDischarge({ id: 'a' }), aLimitMaxDischarge({ id: 'b' })]) state = setDerControl(state, r, T0_MS).state;
    const db = openDatabase({ path: file });
    new DerRepo({ db, clock }).save(state);
    db.close();

    const reopened = openDatabase({ path: file });
    const loaded = new DerRepo({ db: reopened, clock }).load();
    reopened.close();
    expect(loaded.skipped).toEqual([]);
    expect(loaded.state).toEqual(state);
  });

  it('leaves out controls that ended while the hub was down, and rows that no longer parse', () => {
    const file = dbFile();
    const clock = new FakeClock(T0_MS);
    let state = EMPTY_DER_STATE;
    for (const r of [aFreqDroop(), aLimitMaxDischarge({ durationS: 60 })]) state = setDerControl(state, r, T0_MS).state;
    const db = openDatabase({ path: file });
    const repo = new DerRepo({ db, clock });
    repo.save(state);
    db.prepare("INSERT INTO der_controls (control_id, seq, start_ms, request_json, updated_ms) VALUES ('bad', 9, NULL, '{\"isDefault\":1}', 0)").run();
    clock.advanceMs(120_000);
    const loaded = repo.load();
    db.close();
    expect(loaded.state.controls.map((c) => c.controlId)).toEqual(['fd-1']);
    expect(loaded.skipped.map((s) => s.controlId).sort()).toEqual(['bad', 'lmd-1']);
  });
});
