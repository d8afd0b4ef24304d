import { z } from 'zod';
import { idString } from './id-string.js';
import { secretString } from './secret.js';

/**
 * The `upstream` block of a site-config file: the mode (none, proxy, hub), the CSMS link and its
 * credentials, TLS, compression, keep-alive and reconnect, offline answers, the outbox bounds,
 * and hub mode's translation settings (batching, id token types, limit reports, firmware, DataTransfer routes).
 */

/** OCPP 2.x IdTokenEnumType. */
const idTokenTypeSchema = z.enum(['Central', 'eMAID', 'ISO14443', 'ISO15693', 'KeyCode', 'Local', 'MacAddress', 'NoAuthorization']);

/** A JavaScript regular expression, checked at load. */
const regexString = z.string().refine((s) => {
  try {
    new RegExp(s);
    return true;
  } catch {
    return false;
  }
}, 'a valid regular expression');

const upstreamStationSchema = z.strictObject({
  /** A station id from `stations`. */
  id: idString,
  /** Basic-auth password this station uses towards the CSMS (profiles 1 and 2); `${ENV_VAR}` allowed. */
  password: secretString(z.string().min(1).max(64)).optional(),
});

export const upstreamConfigSchema = z
  .strictObject({
    /** none: the hub is the CSMS; proxy: one CSMS link per station; hub: one link for the site. */
    mode: z.enum(['none', 'proxy', 'hub']).default('none'),
    /** CSMS endpoint without the identity: links connect to <url>/<identity>. */
    url: z.string().regex(/^wss?:\/\/[^\s]+$/, 'a ws:// or wss:// URL').optional(),
    /** hub mode: the site's identity and OCPP version towards the CSMS. */
    identity: idString.optional(),
    version: z.enum(['2.0.1', '2.1']).default('2.0.1'),
    /** hub mode: Basic-auth password of the site identity; `${ENV_VAR}` allowed. */
    password: secretString(z.string().min(1).max(64)).optional(),
    /** proxy mode: per-station credentials towards the CSMS. */
    stations: z.array(upstreamStationSchema).default([]),
    /** wss:// only: client certificate (profile 3) and the CA that signs the CSMS's certificate (paths relative to the config file). */
    tls: z.strictObject({ certFile: z.string().optional(), keyFile: z.string().optional(), caFile: z.string().optional() }).optional(),
    /** RFC 7692 permessage-deflate on the upstream links. */
    compression: z.boolean().default(false),
    /** Messages smaller than this are sent uncompressed, bytes. */
    compressionThresholdBytes: z.number().int().min(0).default(32),
    /** WebSocket ping interval on the upstream links, s (0: off). */
    pingIntervalS: z.number().min(0).default(60),
    /** How long the hub waits for the CSMS's answer, s. */
    callTimeoutS: z.number().positive().default(30),
    /** Reconnect backoff: initial and maximum delay, s; each failure multiplies by factor, then +/- jitter (fraction). */
    reconnect: z
      .strictObject({
        initialDelayS: z.number().positive().default(1),
        maxDelayS: z.number().positive().default(120),
        factor: z.number().min(1).default(2),
        jitter: z.number().min(0).max(1).default(0.25),
      })
      .default({ initialDelayS: 1, maxDelayS: 120, factor: 2, jitter: 0.25 }),
    offline: z
      .strictObject({
        /** Answer for id tokens on neither the local list nor the authorization cache while the CSMS is unreachable. */
        unknownIdTokens: z.enum(['Accepted', 'Invalid']).default('Invalid'),
        /** 2.x: after a station's boot, an open transaction it does not report within this time is ended upstream, s. */
        rebootGraceS: z.number().min(0).default(120),
      })
      .default({ unknownIdTokens: 'Invalid', rebootGraceS: 120 }),
    /**
     * Bound of the durable outbox over all links, MB (10^6 bytes of stored messages); the
     * bound in force is the smaller of this and half the free disk space. Near it, periodic
     * readings are merged (never dropped); transaction messages are never dropped.
     */
    outboxMaxMB: z.number().positive().default(512),
    /** Second bound of the outbox, rows (same handling as outboxMaxMB). */
    outboxMaxRows: z.number().int().min(100).default(1_000_000),
    /** Upstream data budget per calendar month (UTC) over all links, MB (10^6 bytes); a warning is logged when the projection exceeds it. */
    monthlyBudgetMB: z.number().positive().optional(),
    /**
     * hub mode: periodic meter samples of one 1.6 transaction arriving within this window go
     * upstream as ONE TransactionEvent (every sample keeps its timestamp; seqNo stays
     * continuous), s. 0 sends each sample at once.
     */
    batchWindowS: z.number().min(0).max(3600).default(0),
    /**
     * hub mode: the 2.x IdTokenType of a 1.6 idTag. The first rule whose pattern (a regular
     * expression) matches wins, else `otherwise`. Default: a hex string of 4 to 10 bytes is
     * ISO14443, anything else Central. Tokens the CSMS named itself keep the CSMS's type.
     */
    idTokenTypes: z
      .strictObject({
        rules: z.array(z.strictObject({ pattern: regexString, type: idTokenTypeSchema })).max(20),
        otherwise: idTokenTypeSchema.default('Central'),
      })
      .optional(),
    /**
     * hub mode: limits the hub's own strategies and circuits set on an EVSE are reported to the
     * CSMS (NotifyChargingLimit, source EMS; ClearedChargingLimit when they end) when they
     * change by more than `significancePercent` of the last one reported (the device model's
     * SmartChargingCtrlr.LimitChangeSignificance, which the CSMS may set), at most once per
     * `minIntervalS` per EVSE.
     */
    limitReports: z
      .strictObject({
        enabled: z.boolean().default(true),
        significancePercent: z.number().min(0).max(100).default(20),
        minIntervalS: z.number().min(0).default(300),
      })
      .default({ enabled: true, significancePercent: 20, minIntervalS: 300 }),
    /** hub mode: the HTTP server that hands firmware images (fetched once from the CSMS's URL) to the chargers. */
    firmware: z
      .strictObject({
        /** Listen address and port (0: any free port). */
        host: z.string().default('0.0.0.0'),
        port: z.number().int().min(0).max(65535).default(8091),
        /** Base URL the chargers reach the server at (default http://<first LAN IPv4>:<port>). */
        advertiseUrl: z.string().regex(/^https?:\/\/[^\s]+$/, 'an http:// URL').optional(),
      })
      .default({ host: '0.0.0.0', port: 8091 }),
    /** hub mode: which charger gets a CSMS DataTransfer by vendorId (and messageId); see docs/hub-mode-messages.md. */
    dataTransfer: z.array(z.strictObject({ vendorId: z.string().min(1).max(255), messageId: z.string().max(50).optional(), station: idString })).default([]),
  })
  .superRefine((u, ctx) => {
    if (u.mode !== 'none' && u.url === undefined) ctx.addIssue({ code: 'custom', path: ['url'], message: `expected a CSMS URL for mode ${u.mode}` });
    if (u.mode === 'hub' && u.identity === undefined) ctx.addIssue({ code: 'custom', path: ['identity'], message: 'expected the site identity for mode hub' });
    if (u.tls && (u.tls.certFile === undefined) !== (u.tls.keyFile === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['tls'], message: 'expected certFile and keyFile together' });
    }
  });

export type UpstreamConfig = z.infer<typeof upstreamConfigSchema>;
