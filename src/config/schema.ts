import { z } from 'zod';
import { metersConfigSchema } from '../meters/meter-config.js';
import { mqttOutConfigSchema } from '../meters/mqtt-out-config.js';
import { checkStrategyRefs, strategiesConfigSchema } from '../control/strategy-registry.js';
import { checkRuleRefs, rulesConfigSchema } from '../control/cron-rules.js';
import { DEFAULT_OPERATION_MODE, OPERATION_MODES } from '../control/operation-modes.js';
import { derConfigSchema } from '../der/der-config.js';
import { passwordHashProblem } from '../evse/password.js';
import { cipherListProblem, DEFAULT_TLS_CIPHERS, TLS_MIN_VERSIONS } from '../evse/tls-options.js';
import { secretString } from './secret.js';
import { dataConfigSchema } from './data-schema.js';
import { idString } from './id-string.js';
import { upstreamConfigSchema } from './upstream-schema.js';
import { isLoopbackHost } from '../util/loopback-host.js';

/**
 * The schema of a site-config file. Every block has defaults, so a minimal file is short;
 * unknown keys are errors (a typo must not silently do nothing).
 */

const phase = z.enum(['L1', 'L2', 'L3']);

export const evseConfigSchema = z
  .strictObject({
    /** EVSE id on the station (1..n); for OCPP 1.6 this is the connectorId. */
    id: z.number().int().min(1),
    /** Circuit this EVSE hangs on (an id from `circuits`); the root when omitted. */
    circuit: idString.optional(),
    phases: z.union([z.literal(1), z.literal(3)]).default(3),
    /** Grid phase of each EVSE phase, e.g. [L2] for a single-phase EVSE on L2. */
    phaseRotation: z.array(phase).min(1).max(3).optional(),
    minCurrentA: z.number().min(0).max(80).default(6),
    maxCurrentA: z.number().positive().max(500).default(16),
    priority: z.number().positive().default(1),
    /** DC EVSEs are limited in W. */
    maxPowerW: z.number().positive().optional(),
    bidirectional: z.boolean().default(false),
    /** OCPP 2.1 operation mode: which strategies act on this EVSE (see control/operation-modes.ts). */
    mode: z.enum(OPERATION_MODES).default(DEFAULT_OPERATION_MODE),
    connectors: z.number().int().min(1).max(8).default(1),
  })
  .superRefine((e, ctx) => {
    if (e.phaseRotation && e.phaseRotation.length !== e.phases) {
      ctx.addIssue({ code: 'custom', path: ['phaseRotation'], message: `expected ${e.phases} phase(s) to match phases, found ${e.phaseRotation.length}` });
    }
    if (e.minCurrentA > e.maxCurrentA) {
      ctx.addIssue({ code: 'custom', path: ['minCurrentA'], message: `expected at most maxCurrentA (${e.maxCurrentA}), found ${e.minCurrentA}` });
    }
  });

export const stationConfigSchema = z.strictObject({
  /** The station identity: the last path segment of its WebSocket URL. */
  id: idString,
  /**
   * 0: no authentication (lab use only), 1: HTTP Basic over ws, 2: TLS + Basic,
   * 3: TLS with a client certificate whose CN equals the station id.
   */
  securityProfile: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)]).default(1),
  /** scrypt hash of the Basic-auth password, made by `switchyard hash-password`. */
  passwordHash: z
    .string()
    .superRefine((v, ctx) => {
      const problem = passwordHashProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
  /** Answer to BootNotification. Pending/Rejected keep a station out until the operator changes it. */
  bootStatus: z.enum(['Accepted', 'Pending', 'Rejected']).default('Accepted'),
  evses: z.array(evseConfigSchema).default(() => [evseConfigSchema.parse({ id: 1 })]),
  /**
   * What the charger takes in charging profiles, for chargers that report it wrongly at boot
   * (1.6 GetConfiguration / 2.x GetVariables): each field given replaces the reported value.
   */
  smartCharging: z
    .strictObject({
      /** The one rate unit to write profiles in. */
      rateUnit: z.enum(['A', 'W']).optional(),
      /** Highest stack level the charger keeps (the hub's base and dynamic profiles are moved under it). */
      maxStackLevel: z.number().int().min(0).optional(),
      maxProfilesInstalled: z.number().int().min(0).optional(),
      maxPeriodsPerSchedule: z.number().int().min(1).optional(),
    })
    .optional(),
});

export const circuitConfigSchema = z.strictObject({
  id: idString,
  parent: idString.optional(),
  /** Max current per phase, A: one number for all phases or [L1, L2, L3]. */
  maxCurrentA: z.union([z.number().positive(), z.tuple([z.number().min(0), z.number().min(0), z.number().min(0)])]),
  maxPowerW: z.number().positive().optional(),
  /** Meter measuring this circuit's whole load (EVs included). */
  meter: idString.optional(),
  /**
   * Highest non-EV load this circuit can carry, A per phase (one number or [L1, L2, L3]). It sets
   * the base profiles (what EVSEs may draw if the hub dies) and, for a circuit without a meter,
   * the load assumed. Absent: a sub-circuit takes its parent's value (set 0 on circuits that
   * feed only chargers); a root without a value counts as fully loaded, so base profiles are 0 A.
   */
  worstCaseNonEvA: z.union([z.number().min(0), z.tuple([z.number().min(0), z.number().min(0), z.number().min(0)])]).optional(),
});

export const energyConfigSchema = z.strictObject({
  /** Current kept free on every circuit and phase, A. */
  marginA: z.number().min(0).default(1),
  /** Validity of the dynamic profile written to EVSEs; they fall back to their base profile after it, s. */
  leaseS: z.number().min(30).default(300),
  /** Least time between two increases or renewals written to one EVSE, s (decreases go at once). */
  minIntervalS: z.number().min(0).default(30),
  /** Increases smaller than this are not written, A. */
  hysteresisA: z.number().min(0).default(1),
  /** Decisions wait this long after a trigger to gather more, ms. */
  debounceMs: z.number().int().min(0).default(200),
  /** How long an EVSE keeps its turn before paused ones take over, s. */
  rotationPeriodS: z.number().positive().default(900),
  /**
   * Longest time an EV takes to follow a lower limit, s: increases that depend on a decrease wait
   * this long after the charger accepted it (less when its measured current shows it followed),
   * and the non-EV load estimate allows for it.
   */
  settleS: z.number().min(0).default(30),
  /** Most profile writes per charger in any 24 h before increases stop (flash wear); absent = no budget. */
  writeBudgetPerDay: z.number().int().positive().optional(),
  /** How EV draw is taken off meter readings: at the reading's time (aligned) or the latest report (latest, earlier releases). */
  nonEvEstimator: z.enum(['aligned', 'latest']).default('aligned'),
  /** A charger drawing more than its accepted limit + toleranceA for afterS is reported and budgeted at what it draws. */
  obey: z.strictObject({ toleranceA: z.number().min(0).default(2), afterS: z.number().min(0).default(60) }).default({ toleranceA: 2, afterS: 60 }),
});

export const authEntrySchema = z.strictObject({
  idToken: z.string().min(1).max(36),
  status: z.enum(['Accepted', 'Blocked', 'Expired', 'Invalid']).default('Accepted'),
  /** ISO-8601 expiry. */
  expiry: z.iso.datetime({ offset: true }).optional(),
  parentIdToken: z.string().max(36).optional(),
});

/** A charger-facing OCPP URL: ws or wss, a host, no credentials, query or fragment. */
function publicUrlOk(text: string): boolean {
  if (!/^wss?:\/\/[^\s]+$/.test(text)) return false;
  try {
    const u = new URL(text);
    return u.hostname !== '' && u.username === '' && u.password === '' && u.search === '' && u.hash === '';
  } catch {
    return false;
  }
}

export const serverConfigSchema = z.strictObject({
  host: z.string().default('0.0.0.0'),
  port: z.number().int().min(0).max(65535).default(9000),
  /** Stations connect to <pathPrefix>/<stationId>. */
  pathPrefix: z.string().regex(/^\/[A-Za-z0-9/_-]*$/, 'a path starting with /').default('/ocpp'),
  /**
   * The OCPP URL as chargers reach the hub, without the station id (e.g. wss://hub.example.net/ocpp
   * behind a reverse proxy): what commissioning sheets name. Absent: the host the API request came
   * in on, with this listener's scheme, port and path.
   */
  publicUrl: z
    .string()
    .refine(publicUrlOk, 'a ws:// or wss:// URL without user, password, query or fragment, e.g. wss://hub.example.net/ocpp')
    .transform((u) => (u.endsWith('/') ? u.slice(0, -1) : u))
    .optional(),
  /** Demo only: accept stations that are not in `stations` (no authentication). */
  admitUnknownStations: z.boolean().default(false),
  /**
   * Commissioning (README, "Or commission it without editing a file"): while a window is open
   * (API, dashboard, or `windowAtStartS` at start), unconfigured stations may connect with any
   * password and are answered Pending.
   */
  commissioning: z
    .strictObject({
      /** A window opened at start for this long, s (0: none; open one from the API). */
      windowAtStartS: z.number().int().min(0).max(86_400).default(0),
      /** Source addresses that may be commissioned: loopback and private LAN ranges, or any. */
      sources: z.enum(['lan', 'any']).default('lan'),
      /** New station ids one window admits. */
      maxNewPerWindow: z.number().int().min(1).max(1000).default(10),
    })
    .default({ windowAtStartS: 0, sources: 'lan', maxNewPerWindow: 10 }),
  pingIntervalS: z.number().min(0).default(30),
  callTimeoutS: z.number().positive().default(30),
  maxFrameBytes: z.number().int().min(1024).default(65536),
  heartbeatIntervalS: z.number().int().positive().default(300),
  /** What one anonymous or single client can take: connections, handshakes, logins, pipelined CALLs. */
  limits: z
    .strictObject({
      /**
       * TCP connections open at once on the OCPP port, upgraded or not (keep below the file-descriptor
       * limit). Left out: 1,000, or the declared stations plus a quarter (config/connection-limit.ts).
       */
      maxConnections: z.number().int().min(1).optional(),
      /** Connections not yet upgraded to a WebSocket, in total and per source address. */
      maxPending: z.number().int().min(1).default(200),
      maxPendingPerAddress: z.number().int().min(1).default(10),
      /** A connection must complete its WebSocket upgrade within this time, s. */
      handshakeTimeoutS: z.number().positive().default(10),
      /** CALLs of one station being handled at once; the socket is not read beyond it, excess answered GenericError. */
      maxCallsInFlight: z.number().int().min(1).default(8),
      /** Failed logins per source address before each further one makes it wait (1 s, doubling). */
      loginFreeFailures: z.number().int().min(0).default(5),
      /** Longest wait after repeated failed logins (the lockout), s. */
      loginMaxDelayS: z.number().positive().default(900),
    })
    .default({ maxPending: 200, maxPendingPerAddress: 10, handshakeTimeoutS: 10, maxCallsInFlight: 8, loginFreeFailures: 5, loginMaxDelayS: 900 }),
  /** TLS for profiles 2 and 3 (paths relative to the config file). */
  tls: z
    .strictObject({
      certFile: z.string(),
      keyFile: z.string(),
      /** CA that signs station client certificates (profile 3). */
      caFile: z.string().optional(),
      /** Oldest TLS version accepted. */
      minVersion: z.enum(TLS_MIN_VERSIONS).default('TLSv1.2'),
      /** OpenSSL cipher list; the default has forward-secret suites only (src/evse/tls-options.ts). */
      ciphers: z
        .string()
        .min(1)
        .default(DEFAULT_TLS_CIPHERS)
        .superRefine((v, ctx) => {
          const problem = cipherListProblem(v);
          if (problem) ctx.addIssue({ code: 'custom', message: `expected an OpenSSL cipher list (${problem})` });
        }),
    })
    .optional(),
});


export const apiConfigSchema = z
  .strictObject({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(8080),
    /** Bearer token for writes, personal data and the live stream; `${ENV_VAR}` reads it from the environment (README). */
    token: secretString(z.string().min(8)).optional(),
    /** Listen beyond loopback without a token (anyone on the network may then write). */
    allowNoTokenBeyondLoopback: z.boolean().default(false),
    /** Host names the API answers to besides IP literals and localhost (DNS-rebinding guard). */
    allowedHosts: z.array(z.string().min(1)).default([]),
    /** HTTPS for the API (paths relative to the config file). */
    tls: z.strictObject({ certFile: z.string(), keyFile: z.string() }).optional(),
    /** With a token configured, the live stream (/api/stream) needs it; false lets anyone read it with id tokens masked. */
    streamNeedsToken: z.boolean().default(true),
    /** Live-stream (/api/stream) readers at once, in total and per source address. */
    maxStreamReaders: z.number().int().min(1).default(32),
    maxStreamReadersPerAddress: z.number().int().min(1).default(4),
    /** TCP connections open at once on the API port. */
    maxConnections: z.number().int().min(1).default(256),
    /** How long an API request waits for a station's answer (remote start/stop), s. */
    stationCallTimeoutS: z.number().positive().default(15),
  })
  .superRefine((a, ctx) => {
    if (a.token === undefined && !a.allowNoTokenBeyondLoopback && !isLoopbackHost(a.host)) {
      ctx.addIssue({
        code: 'custom',
        path: ['token'],
        message: `expected a token when the API listens on ${a.host} (beyond loopback); or set allowNoTokenBeyondLoopback: true to run it open`,
      });
    }
  });

export const siteConfigSchema = z.strictObject({
  site: z
    .strictObject({
      name: z.string().default('Switchyard site'),
      /** Nominal phase voltage, V. */
      voltageV: z.number().positive().default(230),
    })
    .default({ name: 'Switchyard site', voltageV: 230 }),
  server: serverConfigSchema.default(serverConfigSchema.parse({})),
  api: apiConfigSchema.default(apiConfigSchema.parse({})),
  upstream: upstreamConfigSchema.default(upstreamConfigSchema.parse({})),
  energy: energyConfigSchema.default(energyConfigSchema.parse({})),
  data: dataConfigSchema.default(dataConfigSchema.parse({})),
  /** MQTT broker for meters; without a url the hub starts an embedded broker (no set-up needed). */
  mqtt: z
    .strictObject({
      url: z.string().regex(/^(mqtts?|wss?|tcp):\/\//, 'an mqtt://, mqtts://, ws:// or wss:// URL').optional(),
      /**
       * Port of the embedded broker when no url is given (0: any free port). If the port is taken,
       * the hub warns and takes a free one; the URL is logged either way.
       */
      embeddedPort: z.number().int().min(0).max(65535).default(0),
      /** Address the embedded broker listens on: loopback by default (it has no authentication). */
      embeddedHost: z.string().default('127.0.0.1'),
    })
    .default({ embeddedPort: 0, embeddedHost: '127.0.0.1' }),
  /** Site and EVSE state published to the broker, Home Assistant discovery, commands (see README). */
  mqttOut: mqttOutConfigSchema.default(mqttOutConfigSchema.parse({})),
  meters: metersConfigSchema.default([]),
  stations: z.array(stationConfigSchema).default([]),
  circuits: z.array(circuitConfigSchema).default([]),
  /** Strategies run in this order, each acting on the EVSEs whose mode allows it (see README). */
  strategies: strategiesConfigSchema.default([]),
  /** OCPP 2.1 DER controls: how the hub applies them and which grid limits raise alarms (src/der/der-config.ts). */
  der: derConfigSchema.optional(),
  /** Cron rules that set a site limit or switch modes while active. */
  rules: rulesConfigSchema.default({ timezone: 'UTC', list: [] }),
  authorization: z
    .strictObject({
      /** Answer for id tokens not on the local list. */
      unknownIdTokens: z.enum(['Invalid', 'Accepted']).default('Invalid'),
      list: z.array(authEntrySchema).default([]),
    })
    .default({ unknownIdTokens: 'Invalid', list: [] }),
  /** Simulated fleet started with the hub (the demo). */
  simulation: z
    .strictObject({
      enabled: z.boolean().default(false),
      idTags: z.array(z.string()).default([]),
      seed: z.number().int().default(1),
      /** Simulated chargers, each for a configured station. */
      chargers: z
        .array(
          z.strictObject({
            station: idString,
            version: z.enum(['1.6', '2.0.1', '2.1']).default('1.6'),
            password: z.string().optional(),
          }),
        )
        .default([]),
      /** How often simulated chargers send meter values, s. */
      meterIntervalS: z.number().positive().default(10),
      /** A simulated site meter publishing building load + EVs (- PV) to the broker. */
      siteMeter: z
        .strictObject({
          /** Building load base, W. */
          buildingBaseW: z.number().min(0).default(8000),
          /** PV peak, W (0: none). */
          pvPeakW: z.number().min(0).default(0),
          intervalS: z.number().positive().default(1),
        })
        .optional(),
    })
    .optional(),
}).superRefine((cfg, ctx) => {
  const evseKeys = cfg.stations.flatMap((s) => s.evses.map((e) => `${s.id}/${e.id}`));
  for (const p of [...checkStrategyRefs(cfg), ...checkRuleRefs(cfg.rules, evseKeys)]) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
  cfg.upstream.dataTransfer.forEach((r, i) => {
    if (!cfg.stations.some((s) => s.id === r.station)) ctx.addIssue({ code: 'custom', path: ['upstream', 'dataTransfer', i, 'station'], message: 'expected a station id from stations' });
  });
});

export type SiteConfig = z.infer<typeof siteConfigSchema>;
export type StationConfig = z.infer<typeof stationConfigSchema>;
export type EvseConfig = z.infer<typeof evseConfigSchema>;
export type CircuitConfig = z.infer<typeof circuitConfigSchema>;
