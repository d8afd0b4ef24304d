import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cacheStatements } from '../../../src/store/statement-cache.js';

describe('cacheStatements', () => {
  it('returns the statement compiled before for the same SQL text and still runs it with new arguments', () => {
    const db = new Database(':memory:');
    cacheStatements(db);
    db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)');
    const insert = db.prepare<[string, number]>('INSERT INTO t (k, v) VALUES (?, ?)');
    expect(db.prepare('INSERT INTO t (k, v) VALUES (?, ?)')).toBe(insert);
    insert.run('a', 1);
    db.prepare<[string, number]>('INSERT INTO t (k, v) VALUES (?, ?)').run('b', 2);
    expect(db.prepare<[string], { v: number }>('SELECT v FROM t WHERE k = ?').get('b')?.v).toBe(2);
    expect(db.prepare<[string], { v: number }>('SELECT v FROM t WHERE k = ?').get('a')?.v).toBe(1);
    db.close();
  });

  it('keeps at most the given number of statements, forgetting the oldest', () => {
    const db = new Database(':memory:');
    cacheStatements(db, 2);
    const first = db.prepare('SELECT 1');
    db.prepare('SELECT 2');
    db.prepare('SELECT 3');
    expect(db.prepare('SELECT 1')).not.toBe(first);
    db.close();
  });
});
