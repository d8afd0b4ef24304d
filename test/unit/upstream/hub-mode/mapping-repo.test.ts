import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../../src/store/database.js';
import { EvseMappingRepo } from '../../../../src/upstream/hub-mode/mapping-repo.js';

describe('evse mapping repository', () => {
  let dir: string | undefined;
  const open: Database.Database[] = [];
  afterEach(() => {
    for (const db of open.splice(0)) db.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });
  const dbFile = (): string => {
    dir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-hub-mapping-'));
    return path.join(dir, 'hub.db');
  };
  const openDb = (): Database.Database => {
    const db = openDatabase({ path: dbFile() });
    open.push(db);
    return db;
  };

  it('keeps the mapping across a reopen of the database file', () => {
    const first = new EvseMappingRepo({ db: openDb() });
    first.assignAndSave([
      { stationId: 'cp1', evseId: 1, connectorId: 1 },
      { stationId: 'cp2', evseId: 1, connectorId: 1 },
    ]);
    open.splice(0).forEach((db) => db.close());

    const again = new EvseMappingRepo({ db: openDb() });
    const result = again.assignAndSave([
      { stationId: 'cp3', evseId: 1, connectorId: 1 },
      { stationId: 'cp1', evseId: 1, connectorId: 1 },
    ]);
    expect(result.added).toEqual([{ stationId: 'cp3', evseId: 1, connectorId: 1, upstreamEvseId: 3, upstreamConnectorId: 1 }]);
    expect(again.load().entries.map((e) => [e.stationId, e.upstreamEvseId])).toEqual([
      ['cp1', 1],
      ['cp2', 2],
      ['cp3', 3],
    ]);
  });

  it('ignores an entry saved twice', () => {
    const repo = new EvseMappingRepo({ db: openDb() });
    const entry = { stationId: 'cp1', evseId: 1, connectorId: 1, upstreamEvseId: 1, upstreamConnectorId: 1 };
    repo.saveAdded([entry]);
    repo.saveAdded([entry]);
    expect(repo.load().entries).toEqual([entry]);
  });
});
