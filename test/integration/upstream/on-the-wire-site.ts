import { afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import type { RPCClient } from 'ocpp-rpc';
import type { HubProcess } from '../../helpers/hub-process.js';
import type { StrictCsms } from './strict-csms.js';
import { ocppClient } from '../../helpers/hub-harness.js';
import { DB_FILE_NAME } from '../../../src/config/data-dir.js';

/** Two hub processes, a CSMS and a station: generous, the machine may be busy. */
export const ON_THE_WIRE_TIMEOUT_MS = 240_000;

/**
 * What the tests of a 1.6 message on the wire at a kill share: a temporary folder (removed after
 * the file's tests) holding one data dir per named hub, the proxy site of one 1.6 station, the
 * station's client and the hub's message log read back once the hub stopped.
 */
export function useOnTheWireSite(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function siteYaml(name: string, csmsUrl: string): string {
    return `data: { dir: ./data-${name} }
server: { pingIntervalS: 0 }
stations:
  - { id: CP16, securityProfile: 0 }
authorization:
  list: [{ idToken: LOCAL1 }]
upstream:
  mode: proxy
  url: ${csmsUrl}
  pingIntervalS: 0
  reconnect: { initialDelayS: 0.2, maxDelayS: 0.5 }
`;
  }

  /** The database file of the named hub. */
  const dbFile = (name: string): string => join(dir, `data-${name}`, DB_FILE_NAME);

  async function connect16(url: string): Promise<RPCClient> {
    const c = ocppClient(url, 'CP16', { callTimeoutMs: 120_000 });
    c.on('close', () => undefined);
    await c.connect();
    return c;
  }

  /** Message-log rows of one action (station id and payload), read from a stopped hub's database. */
  function logged(name: string, action: string): Array<{ stationId: string; payload: Record<string, unknown> }> {
    const db = new Database(dbFile(name), { readonly: true });
    try {
      return db
        .prepare<[string], { station_id: string; payload_json: string }>('SELECT station_id, payload_json FROM message_log WHERE action = ? ORDER BY rowid')
        .all(action)
        .map((r) => ({ stationId: r.station_id, payload: JSON.parse(r.payload_json) as Record<string, unknown> }));
    } finally {
      db.close();
    }
  }

  return { dir, siteYaml, connect16, logged, dbFile };
}

/**
 * Resolves once the hub's database (read by another connection, which sees only committed
 * data) holds the station's outbox row of `action`. The hub forwards most messages while their
 * commit still runs; these tests are about a kill after that commit.
 */
async function committedInOutbox(dbFile: string, action: string): Promise<void> {
  for (;;) {
    const db = new Database(dbFile, { readonly: true });
    try {
      const row = db.prepare<[string], { n: number }>(`SELECT count(*) AS n FROM outbox WHERE link = 'CP16' AND action = ?`).get(action);
      if ((row?.n ?? 0) > 0) return;
    } finally {
      db.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * The moment these tests are about: the station sends `action`, the hub forwards it, the CSMS
 * holds its answer, and the hub is SIGKILLed with the message on the wire. The station gets no
 * answer and its connection is dropped; the CSMS answers again from then on.
 */
export async function killWithOnTheWire(site: { csms: StrictCsms; hub: HubProcess; cp: RPCClient; dbFile: string }, action: string, payload: unknown): Promise<void> {
  const { csms, hub, cp } = site;
  csms.hold = (method) => method === action;
  const firstTry = cp.call(action, payload).then(
    () => 'answered',
    () => 'no answer',
  );
  await csms.until(() => csms.of('CP16', action).length === 1);
  await committedInOutbox(site.dbFile, action);
  await hub.kill();
  expect(await firstTry).toBe('no answer');
  await cp.close({ force: true });
  csms.hold = undefined;
}
