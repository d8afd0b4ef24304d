import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Statements } from '../../../src/store/statements.js';

describe('Statements', () => {
  it('compiles an SQL text once and still runs its statement with new arguments', () => {
    const db = new Database(':memory:');
    const sql = new Statements(db);
    db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)');
    const insert = sql.prepare<[string, number]>('INSERT INTO t (k, v) VALUES (?, ?)');
    expect(sql.prepare('INSERT INTO t (k, v) VALUES (?, ?)')).toBe(insert);
    insert.run('a', 1);
    sql.prepare<[string, number]>('INSERT INTO t (k, v) VALUES (?, ?)').run('b', 2);
    expect(sql.prepare<[string], { v: number }>('SELECT v FROM t WHERE k = ?').get('b')?.v).toBe(2);
    expect(sql.prepare<[string], { v: number }>('SELECT v FROM t WHERE k = ?').get('a')?.v).toBe(1);
    db.close();
  });

  it('keeps at most the given number of statements, forgetting the oldest', () => {
    const db = new Database(':memory:');
    const sql = new Statements(db, 2);
    const first = sql.prepare('SELECT 1');
    sql.prepare('SELECT 2');
    sql.prepare('SELECT 3');
    expect(sql.prepare('SELECT 1')).not.toBe(first);
    db.close();
  });

  it('leaves the database\'s own prepare alone: it compiles anew at every call', () => {
    const db = new Database(':memory:');
    const sql = new Statements(db);
    expect(sql.prepare('SELECT 1')).toBe(sql.prepare('SELECT 1'));
    expect(db.prepare('SELECT 1')).not.toBe(db.prepare('SELECT 1'));
    db.close();
  });
});
