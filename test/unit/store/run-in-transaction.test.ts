import { describe, it, expect } from 'vitest';
import Database from 'better-sqlite3';
import { runInTransaction } from '../../../src/store/run-in-transaction.js';
import { useTempStores } from './temp-store.js';

describe('runInTransaction', () => {
  const stores = useTempStores();

  const table = (db: Database.Database) => {
    db.exec('CREATE TABLE t (v INTEGER)');
    return {
      insert: (v: number) => db.prepare('INSERT INTO t (v) VALUES (?)').run(v),
      values: () => db.prepare<[], { v: number }>('SELECT v FROM t ORDER BY v').all().map((r) => r.v),
    };
  };

  it('commits what fn wrote and returns its result, on a real file (seen by another connection)', () => {
    const path = stores.dbPath();
    const db = new Database(path);
    const t = table(db);
    expect(runInTransaction(db, () => (t.insert(1), t.insert(2), 'done'))).toBe('done');
    expect(db.inTransaction).toBe(false);
    const other = new Database(path, { readonly: true });
    expect(other.prepare<[], { v: number }>('SELECT v FROM t ORDER BY v').all().map((r) => r.v)).toEqual([1, 2]);
    other.close();
    db.close();
  });

  it('rolls everything back when fn throws, and rethrows', () => {
    const db = new Database(stores.dbPath());
    const t = table(db);
    expect(() =>
      runInTransaction(db, () => {
        t.insert(1);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(db.inTransaction).toBe(false);
    expect(t.values()).toEqual([]);
    db.close();
  });

  it('nests as a savepoint inside an open transaction (a failed inner call undoes only its own writes), also when reused', () => {
    const db = new Database(stores.dbPath());
    const t = table(db);
    for (const round of [0, 1]) {
      db.exec('BEGIN');
      t.insert(10 + round);
      expect(() =>
        runInTransaction(db, () => {
          t.insert(20 + round);
          throw new Error('inner');
        }),
      ).toThrow('inner');
      runInTransaction(db, () => t.insert(30 + round));
      expect(db.inTransaction).toBe(true); // the outer transaction is still the caller's
      db.exec('COMMIT');
    }
    expect(t.values()).toEqual([10, 11, 30, 31]);
    db.close();
  });

  it('keeps connections apart', () => {
    const a = new Database(stores.dbPath());
    const b = new Database(':memory:');
    const ta = table(a);
    const tb = table(b);
    runInTransaction(a, () => ta.insert(1));
    runInTransaction(b, () => tb.insert(2));
    expect([ta.values(), tb.values()]).toEqual([[1], [2]]);
    a.close();
    b.close();
  });
});
