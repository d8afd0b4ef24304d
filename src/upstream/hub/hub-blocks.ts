import type { Clock } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import type { OcppVersion } from '../../ocpp/versions.js';
import type { Store } from '../../store/store.js';
import type { StationRegistry } from '../../evse/station-registry.js';
import type { OutboxPump } from '../outbox-pump.js';
import { mappedStations } from '../hub-mode/evse-mapping.js';
import type { UpstreamVersion } from '../hub-mode/wire-2x.js';
import type { BlockContext, ChargerCall, ChargerRef } from '../hub-mode/blocks/block-types.js';
import { blockFactories, buildBlockTable, type BlockOptions, type BlockTable } from '../hub-mode/blocks/registry.js';
import { isRecord } from '../hub-mode/blocks/targets.js';
import type { HubJournal } from './hub-journal.js';
import type { HubStateStore } from './hub-state-store.js';
import type { SiteBoot } from './site-boot.js';

export interface HubBlocksDeps {
  identity: string;
  upstreamVersion: UpstreamVersion;
  store: Store;
  states: HubStateStore;
  journal: HubJournal;
  pump: OutboxPump;
  gate: SiteBoot;
  registry: StationRegistry;
  options: BlockOptions;
  clock: Clock;
  log: Logger;
}

const STATE_KEY_PREFIX = 'hub-block:';

interface Pending {
  action: string;
  payload: object | (() => object | undefined);
}

/**
 * Hub mode's functional blocks at the edge: builds the BlockContext (charger calls over the
 * sessions, follow-ups to the CSMS through the outbox, small persistent values) and dispatches
 * CSMS calls and charger messages to the block that owns them. Follow-ups produced while a
 * block answers a CSMS call are held until that answer has gone out.
 */
export class HubBlocks {
  private readonly table: BlockTable;
  private readonly ctx: BlockContext;
  private answering = 0;
  private held: Pending[] = [];

  constructor(private readonly deps: HubBlocksDeps) {
    this.ctx = this.context();
    this.table = buildBlockTable(this.ctx, blockFactories(deps.options));
  }

  handlesCsms(action: string): boolean {
    return this.table.csms.has(action);
  }

  /** Answers a CSMS call owned by a block; follow-ups wait until after the answer is sent. */
  async handleCsms(action: string, payload: unknown, signal: AbortSignal): Promise<object> {
    const handler = this.table.csms.get(action);
    if (!handler) throw new Error(`no hub block for ${action}`);
    this.answering++;
    try {
      return await handler(this.ctx, isRecord(payload) ? payload : {}, signal);
    } finally {
      // The answer is written to the socket right after this promise settles: release after it.
      setImmediate(() => {
        this.answering--;
        this.release();
      });
    }
  }

  /** Lets the blocks watch a charger's message (synchronously, before it is translated). */
  observe(stationId: string, version: OcppVersion, action: string, payload: unknown): void {
    const call: ChargerCall = { stationId, version, payload: isRecord(payload) ? payload : {} };
    for (const observer of this.table.observe.get(action) ?? []) {
      try {
        observer(this.ctx, call);
      } catch (err) {
        this.deps.log.warn({ stationId, action, err: err instanceof Error ? err.message : String(err) }, 'hub block observer failed');
      }
    }
  }

  handlesCharger(action: string): boolean {
    return this.table.charger.has(action);
  }

  /** A charger's message taken by a block: its answer, or undefined for the ordinary translation. */
  async fromCharger(stationId: string, version: OcppVersion, action: string, payload: unknown): Promise<object | undefined> {
    const handler = this.table.charger.get(action);
    return handler ? handler(this.ctx, { stationId, version, payload: isRecord(payload) ? payload : {} }) : undefined;
  }

  onBoot(stationId: string, version: OcppVersion): void {
    for (const block of this.table.blocks) block.onBoot?.(this.ctx, { stationId, version });
  }

  async stop(): Promise<void> {
    for (const block of this.table.blocks) await block.stop?.();
  }

  private release(): void {
    if (this.answering > 0 || this.held.length === 0) return;
    const held = this.held;
    this.held = [];
    this.queue(held);
  }

  private queue(messages: readonly Pending[]): void {
    const { deps } = this;
    const upstream = messages.flatMap((m) => {
      const payload = typeof m.payload === 'function' ? m.payload() : m.payload;
      return payload === undefined ? [] : [{ action: m.action, payload, kind: 'other' as const }];
    });
    if (upstream.length === 0) return;
    deps.journal.record(deps.states.state, upstream, []);
    deps.pump.kick();
  }

  private context(): BlockContext {
    const { deps } = this;
    const versionOf = (stationId: string): OcppVersion | undefined => {
      const session = deps.registry.get(stationId);
      return session?.isOpen ? session.version : undefined;
    };
    return {
      state: () => deps.states.state,
      upstreamVersion: deps.upstreamVersion,
      identity: deps.identity,
      versionOf,
      connected: () =>
        mappedStations(deps.states.state.mapping).flatMap((stationId): ChargerRef[] => {
          const version = versionOf(stationId);
          return version ? [{ stationId, version }] : [];
        }),
      callCharger: async (target, action, payload, signal) => {
        const session = deps.registry.get(target.stationId);
        if (!session?.isOpen) return undefined;
        try {
          const result = await session.peer.call(action, payload, signal ? { signal } : {});
          return isRecord(result) ? result : {};
        } catch (err) {
          deps.log.warn({ stationId: target.stationId, action, err: err instanceof Error ? err.message : String(err) }, 'charger did not answer a hub block call');
          return undefined;
        }
      },
      notify: (action, payload) => {
        if (this.answering > 0) this.held.push({ action, payload });
        else this.queue([{ action, payload }]);
      },
      callCsms: (action, payload) => deps.gate.call(action, payload),
      load: (key) => deps.store.stationState.get(deps.identity, STATE_KEY_PREFIX + key),
      save: (key, value) => deps.store.stationState.set(deps.identity, STATE_KEY_PREFIX + key, value),
      store: deps.store,
      clock: deps.clock,
      log: deps.log,
    };
  }
}
