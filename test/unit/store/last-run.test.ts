import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { openStore } from '../../../src/store/store.js';
import { useTempStores } from './temp-store.js';

/** Whether the previous run may have lost writes it had committed but not synced (last-run.ts). */
describe('the store\'s record of its previous run', () => {
  const stores = useTempStores();
  const open = (bootId: string | undefined) => openStore({ path: stores.dbPath(), clock: new FakeClock(), bootId });

  it('a new database lost nothing', () => {
    const s = open('boot-1');
    expect(s.mayHaveLostUnsynced).toBe(false);
    s.close();
  });

  it('a run that closed the store lost nothing, whether the system restarted or not', () => {
    open('boot-1').close();
    const same = open('boot-1');
    expect(same.mayHaveLostUnsynced).toBe(false);
    same.close();
    const restarted = open('boot-2');
    expect(restarted.mayHaveLostUnsynced).toBe(false);
    restarted.close();
  });

  it('a run that never closed the store lost nothing when the system kept running (a killed process), and may have when it restarted', () => {
    open('boot-1').db.close(); // killed: the store was never closed
    const killed = open('boot-1');
    expect(killed.mayHaveLostUnsynced).toBe(false);
    killed.db.close();
    const powerCut = open('boot-2');
    expect(powerCut.mayHaveLostUnsynced).toBe(true);
    powerCut.close();
    // Told once: the run after a closed one lost nothing again.
    const next = open('boot-2');
    expect(next.mayHaveLostUnsynced).toBe(false);
    next.close();
  });

  it('without a boot id to compare, a run that never closed the store may have lost writes', () => {
    open(undefined).db.close();
    const s = open(undefined);
    expect(s.mayHaveLostUnsynced).toBe(true);
    s.close();
  });
});
