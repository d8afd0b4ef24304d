import type { Migration } from './migrations.js';

/**
 * The steps of the store's schema, oldest first: version n is MIGRATIONS[n - 1]. A released step
 * is never edited; a change is a new step at the end (migrations.ts runs them).
 */

const INITIAL_SCHEMA = `
CREATE TABLE stations (
  station_id       TEXT PRIMARY KEY,
  ocpp_version     TEXT NOT NULL,
  vendor           TEXT,
  model            TEXT,
  serial_number    TEXT,
  firmware_version TEXT,
  boot_status      TEXT CHECK (boot_status IN ('Accepted', 'Pending', 'Rejected')),
  last_boot_ms     INTEGER,
  last_seen_ms     INTEGER,
  connected        INTEGER NOT NULL DEFAULT 0 CHECK (connected IN (0, 1))
) STRICT;

CREATE TABLE connectors (
  station_id   TEXT NOT NULL,
  evse_id      INTEGER NOT NULL,
  connector_id INTEGER NOT NULL,
  status       TEXT NOT NULL
               CHECK (status IN ('Available', 'Occupied', 'Reserved', 'Unavailable', 'Faulted')),
  detail       TEXT,
  error_code   TEXT,
  updated_ms   INTEGER NOT NULL,
  PRIMARY KEY (station_id, evse_id, connector_id)
) STRICT;

CREATE TABLE transactions (
  station_id     TEXT NOT NULL,
  transaction_id TEXT NOT NULL,
  evse_id        INTEGER NOT NULL,
  connector_id   INTEGER NOT NULL,
  id_token       TEXT,
  started_ms     INTEGER NOT NULL,
  ended_ms       INTEGER,
  meter_start_wh REAL,
  meter_stop_wh  REAL,
  energy_wh      REAL,
  stopped_reason TEXT,
  last_seq_no    INTEGER NOT NULL,
  status         TEXT NOT NULL CHECK (status IN ('Active', 'Ended')),
  PRIMARY KEY (station_id, transaction_id)
) STRICT;
CREATE INDEX transactions_by_status ON transactions (status, station_id, evse_id);
CREATE INDEX transactions_by_start ON transactions (started_ms);

CREATE TABLE transaction_events (
  id             INTEGER PRIMARY KEY,
  station_id     TEXT NOT NULL,
  transaction_id TEXT NOT NULL,
  seq_no         INTEGER NOT NULL,
  event_type     TEXT NOT NULL CHECK (event_type IN ('Started', 'Updated', 'Ended')),
  time_ms        INTEGER NOT NULL,
  trigger_reason TEXT NOT NULL,
  evse_id        INTEGER,
  connector_id   INTEGER,
  id_token       TEXT,
  charging_state TEXT,
  stopped_reason TEXT,
  offline        INTEGER CHECK (offline IN (0, 1)),
  raw_json       TEXT,
  UNIQUE (station_id, transaction_id, seq_no),
  FOREIGN KEY (station_id, transaction_id)
    REFERENCES transactions (station_id, transaction_id) ON DELETE CASCADE
) STRICT;

CREATE TABLE meter_samples (
  id             INTEGER PRIMARY KEY,
  event_id       INTEGER NOT NULL REFERENCES transaction_events (id) ON DELETE CASCADE,
  station_id     TEXT NOT NULL,
  transaction_id TEXT NOT NULL,
  mv_index       INTEGER NOT NULL,
  time_ms        INTEGER NOT NULL,
  value          REAL NOT NULL,
  measurand      TEXT NOT NULL,
  phase          TEXT,
  context        TEXT,
  location       TEXT,
  unit           TEXT
) STRICT;
CREATE INDEX meter_samples_by_tx ON meter_samples (station_id, transaction_id, measurand, time_ms);
CREATE INDEX meter_samples_by_event ON meter_samples (event_id);

CREATE TABLE counters (
  name  TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) STRICT;
INSERT INTO counters (name, value) VALUES ('legacy_transaction_id', 0), ('local_list_version', 0);

CREATE TABLE local_auth_list (
  id_token        TEXT PRIMARY KEY,
  status          TEXT NOT NULL
                  CHECK (status IN ('Accepted', 'Blocked', 'Expired', 'Invalid', 'ConcurrentTx')),
  expiry_ms       INTEGER,
  parent_id_token TEXT
) STRICT;

CREATE TABLE auth_cache (
  id_token     TEXT PRIMARY KEY,
  status       TEXT NOT NULL
               CHECK (status IN ('Accepted', 'Blocked', 'Expired', 'Invalid', 'ConcurrentTx')),
  expiry_ms    INTEGER,
  last_seen_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE message_log (
  id           INTEGER PRIMARY KEY,
  station_id   TEXT NOT NULL,
  action       TEXT NOT NULL,
  payload_json TEXT NOT NULL,
  time_ms      INTEGER NOT NULL
) STRICT;
CREATE INDEX message_log_by_station ON message_log (station_id, time_ms);
CREATE INDEX message_log_by_action ON message_log (action, time_ms);

CREATE TABLE outbox (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  link         TEXT NOT NULL,
  action       TEXT NOT NULL,
  payload_json TEXT NOT NULL,
  kind         TEXT NOT NULL CHECK (kind IN ('billing', 'periodic', 'other')),
  created_ms   INTEGER NOT NULL
) STRICT;
CREATE INDEX outbox_by_link ON outbox (link, seq);
CREATE INDEX outbox_by_kind ON outbox (kind, seq);

CREATE TABLE charging_profiles (
  station_id   TEXT NOT NULL,
  source       TEXT NOT NULL CHECK (source IN ('csms', 'hub')),
  profile_id   INTEGER NOT NULL,
  evse_id      INTEGER NOT NULL,
  purpose      TEXT NOT NULL,
  stack_level  INTEGER NOT NULL,
  profile_json TEXT NOT NULL,
  updated_ms   INTEGER NOT NULL,
  PRIMARY KEY (station_id, source, profile_id)
) STRICT;

CREATE TABLE station_state (
  station_id TEXT NOT NULL,
  key        TEXT NOT NULL,
  value_json TEXT NOT NULL,
  updated_ms INTEGER NOT NULL,
  PRIMARY KEY (station_id, key)
) STRICT;
`;

/**
 * Hub mode's persistent EVSE mapping (downstream station + connector -> upstream EVSE/connector).
 * Databases written before this step may already hold the table (the hub-mode code created it
 * itself then), with exactly this definition: hence IF NOT EXISTS.
 */
const HUB_EVSE_MAPPING = `
CREATE TABLE IF NOT EXISTS hub_evse_mapping (
  station_id TEXT NOT NULL,
  evse_id INTEGER NOT NULL,
  connector_id INTEGER NOT NULL,
  upstream_evse_id INTEGER NOT NULL,
  upstream_connector_id INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (station_id, evse_id, connector_id),
  UNIQUE (upstream_evse_id, upstream_connector_id)
);
`;

/** The accepted OCPP 2.1 DER controls; as above, older databases may already hold the table. */
const DER_CONTROLS = `
CREATE TABLE IF NOT EXISTS der_controls (
  control_id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  start_ms INTEGER,
  request_json TEXT NOT NULL,
  updated_ms INTEGER NOT NULL
);
`;

/** Retention deletes by age: indexes on the time columns it filters on. */
const RETENTION_INDEXES = `
CREATE INDEX IF NOT EXISTS message_log_by_time ON message_log (time_ms);
CREATE INDEX IF NOT EXISTS transactions_by_end ON transactions (ended_ms) WHERE ended_ms IS NOT NULL;
`;

/**
 * Stations added at runtime by commissioning (API): their station config (EVSEs, circuits,
 * limits) as JSON and the scrypt hash of the password the hub set on them; no password in clear.
 */
const COMMISSIONED_STATIONS = `
CREATE TABLE IF NOT EXISTS commissioned_stations (
  station_id    TEXT PRIMARY KEY,
  config_json   TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  ocpp_version  TEXT NOT NULL,
  created_ms    INTEGER NOT NULL,
  updated_ms    INTEGER NOT NULL
) STRICT;
`;

/**
 * What an operator set on an EVSE at runtime (API, MQTT): one row per EVSE key and setting
 * (priority, mode, solarMode, maxCurrentA), the value as JSON and who set it. Restored at start;
 * a row is deleted when the setting goes back to the site config's value.
 */
const EVSE_SETTINGS = `
CREATE TABLE IF NOT EXISTS evse_settings (
  evse_key   TEXT NOT NULL,
  setting    TEXT NOT NULL,
  value_json TEXT NOT NULL,
  source     TEXT NOT NULL,
  updated_ms INTEGER NOT NULL,
  PRIMARY KEY (evse_key, setting)
) STRICT;
`;

/**
 * Site and per-EVSE power over time, downsampled at the hub (`src/history/`): one row per series
 * (`site:grid`, `site:pv`, `site:ev`, `site:limit`, `evse:<stationId>/<evseId>`) and bucket, in
 * 1-minute buckets (resolution_s 60) and 15-minute roll-ups of them (900). avg_w is the mean of
 * the bucket's samples, max_w the largest, samples how many (for merging partial buckets).
 */
const POWER_HISTORY = `
CREATE TABLE IF NOT EXISTS power_history (
  resolution_s INTEGER NOT NULL,
  start_ms     INTEGER NOT NULL,
  series       TEXT NOT NULL,
  avg_w        REAL NOT NULL,
  max_w        REAL NOT NULL,
  samples      INTEGER NOT NULL,
  PRIMARY KEY (resolution_s, start_ms, series)
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS power_history_by_series ON power_history (series, resolution_s, start_ms);
`;

/**
 * A lean write path for meter messages. Before: every sampled value of every transaction event
 * was a row carrying the station and transaction ids again, with two indexes, although the event
 * row's raw payload already held it; and each event with an energy register re-read the
 * transaction's register rows to update the summary. After:
 * - `meter_samples` is keyed by (event, meter value, position) WITHOUT ROWID: no ids repeated,
 *   no secondary index, rows appended in key order; the event's key leads to them (cascade, reads).
 *   Existing rows are all kept. New events store energy readings as rows (what the summary,
 *   billing and the hub's own Stop read); other measurands stay in the event's raw payload.
 * - `transactions` carries the running first/last register reading (time, context rank, Wh), so
 *   an event updates the summary without reading samples back; filled here from existing rows.
 * - `transactions_by_evse` serves "the transaction recorded last on this EVSE" (rowid order)
 *   without scanning the station's history.
 */
const LEAN_METER_SAMPLES = `
ALTER TABLE transactions ADD COLUMN register_first_ms INTEGER;
ALTER TABLE transactions ADD COLUMN register_first_rank INTEGER;
ALTER TABLE transactions ADD COLUMN register_last_ms INTEGER;
ALTER TABLE transactions ADD COLUMN register_last_rank INTEGER;
ALTER TABLE transactions ADD COLUMN register_last_wh REAL;

WITH reg AS (
  SELECT station_id, transaction_id, time_ms, context,
    CASE unit WHEN 'kWh' THEN value * 1000 ELSE value END AS wh,
    ROW_NUMBER() OVER (PARTITION BY station_id, transaction_id
      ORDER BY time_ms ASC, CASE context WHEN 'Transaction.Begin' THEN 0 ELSE 1 END, id ASC) AS first_n,
    ROW_NUMBER() OVER (PARTITION BY station_id, transaction_id
      ORDER BY time_ms DESC, CASE context WHEN 'Transaction.End' THEN 0 ELSE 1 END, id DESC) AS last_n
  FROM meter_samples
  WHERE measurand = 'Energy.Active.Import.Register' AND phase IS NULL
)
UPDATE transactions SET
  register_first_ms = f.time_ms,
  register_first_rank = CASE f.context WHEN 'Transaction.Begin' THEN 0 ELSE 1 END,
  register_last_ms = l.time_ms,
  register_last_rank = CASE l.context WHEN 'Transaction.End' THEN 0 ELSE 1 END,
  register_last_wh = l.wh
FROM reg f JOIN reg l ON l.station_id = f.station_id AND l.transaction_id = f.transaction_id AND l.last_n = 1
WHERE f.first_n = 1 AND f.station_id = transactions.station_id AND f.transaction_id = transactions.transaction_id;

CREATE TABLE meter_samples_lean (
  event_id  INTEGER NOT NULL REFERENCES transaction_events (id) ON DELETE CASCADE,
  mv_index  INTEGER NOT NULL,
  sv_index  INTEGER NOT NULL,
  time_ms   INTEGER NOT NULL,
  value     REAL NOT NULL,
  measurand TEXT NOT NULL,
  phase     TEXT,
  context   TEXT,
  location  TEXT,
  unit      TEXT,
  PRIMARY KEY (event_id, mv_index, sv_index)
) STRICT, WITHOUT ROWID;
INSERT INTO meter_samples_lean (event_id, mv_index, sv_index, time_ms, value, measurand, phase, context, location, unit)
  SELECT event_id, mv_index, ROW_NUMBER() OVER (PARTITION BY event_id, mv_index ORDER BY id) - 1,
    time_ms, value, measurand, phase, context, location, unit
  FROM meter_samples;
DROP TABLE meter_samples;
ALTER TABLE meter_samples_lean RENAME TO meter_samples;

CREATE INDEX IF NOT EXISTS transactions_by_evse ON transactions (station_id, evse_id);
`;

/**
 * The site's own values (its lifetime energy totals) get their own table; they were kept in
 * `station_state` under the made-up station id `#site`. Those rows move here.
 */
const SITE_STATE = `
CREATE TABLE site_state (
  key        TEXT PRIMARY KEY,
  value_json TEXT NOT NULL,
  updated_ms INTEGER NOT NULL
) STRICT;
INSERT INTO site_state (key, value_json, updated_ms)
  SELECT key, value_json, updated_ms FROM station_state WHERE station_id = '#site';
DELETE FROM station_state WHERE station_id = '#site';
`;

/** The schema, oldest step first. Append new steps; never edit or reorder released ones. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial schema', sql: INITIAL_SCHEMA },
  { version: 2, name: 'hub-mode EVSE mapping', sql: HUB_EVSE_MAPPING },
  { version: 3, name: 'DER controls', sql: DER_CONTROLS },
  { version: 4, name: 'indexes for retention', sql: RETENTION_INDEXES },
  { version: 5, name: 'commissioned stations', sql: COMMISSIONED_STATIONS },
  { version: 6, name: 'EVSE settings', sql: EVSE_SETTINGS },
  { version: 7, name: 'power history', sql: POWER_HISTORY },
  { version: 8, name: 'lean meter samples', sql: LEAN_METER_SAMPLES },
  { version: 9, name: 'site state', sql: SITE_STATE },
];
