/**
 * Hub mode functional blocks: the contract between a block (local list, reservations, firmware,
 * ...) and the hub. A block owns a few CSMS actions (answered through `csms`), may take over
 * follow-up messages of the chargers (`charger`: return the charger's answer, or undefined to
 * leave the message to the ordinary translation), and may watch messages without taking them
 * (`observe`). Blocks are built once per hub by a factory (blocks/registry.ts) and keep their
 * own small state; everything they send or store goes through the BlockContext.
 */
import type { Clock } from '../../../util/clock.js';
import type { Logger } from '../../../util/logger.js';
import type { OcppVersion } from '../../../ocpp/versions.js';
import type { Store } from '../../../store/store.js';
import type { HubState } from '../hub-state.js';
import type { UpstreamVersion } from '../wire-2x.js';

/** A connected downstream charger and the version it speaks. */
export interface ChargerRef {
  stationId: string;
  version: OcppVersion;
}

export interface BlockContext {
  /** The translation state (mapping, open transactions, connector memos), read-only. */
  state(): HubState;
  upstreamVersion: UpstreamVersion;
  /** The site's identity upstream. */
  identity: string;
  versionOf(stationId: string): OcppVersion | undefined;
  /** Every mapped charger that is connected now. */
  connected(): ChargerRef[];
  /** Calls a charger; undefined when it is away, answers with a CALLERROR or does not answer. */
  callCharger(target: ChargerRef, action: string, payload: object, signal?: AbortSignal): Promise<Record<string, unknown> | undefined>;
  /**
   * Queues a message to the CSMS in the durable outbox, behind everything queued before. Sent
   * only once the CSMS call being handled (if any) has been answered: follow-ups never overtake
   * the answer they follow. A function is called only then (in order), so what it builds
   * (seqNo, tbc, an aggregate status) reflects the final answer; undefined sends nothing.
   */
  notify(action: string, payload: object | (() => object | undefined)): void;
  /** Calls the CSMS now (charger calls that need the CSMS's answer, e.g. SignCertificate). */
  callCsms(action: string, payload: object): Promise<unknown>;
  /** Small per-hub values that survive a restart (JSON). */
  load(key: string): unknown;
  save(key: string, value: unknown): void;
  store: Store;
  clock: Clock;
  log: Logger;
}

/** A message a downstream charger sent, validated against its version's schema. */
export interface ChargerCall {
  stationId: string;
  version: OcppVersion;
  payload: Record<string, unknown>;
}

export type CsmsHandler = (ctx: BlockContext, payload: Record<string, unknown>, signal: AbortSignal) => Promise<object> | object;
export type ChargerHandler = (ctx: BlockContext, call: ChargerCall) => Promise<object | undefined> | object | undefined;
export type ChargerObserver = (ctx: BlockContext, call: ChargerCall) => void;

export interface HubBlock {
  name: string;
  csms?: Record<string, CsmsHandler>;
  charger?: Record<string, ChargerHandler>;
  observe?: Record<string, ChargerObserver>;
  /** A charger booted and was accepted (e.g. to bring it up to date). */
  onBoot?: (ctx: BlockContext, charger: ChargerRef) => void;
  stop?: () => Promise<void> | void;
}

export type BlockFactory = (ctx: BlockContext) => HubBlock;
