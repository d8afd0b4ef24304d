/**
 * The table of hub-mode functional blocks. Adding a block is adding its factory here; each
 * action belongs to exactly one block (checked when the table is built).
 */
import type { BlockContext, BlockFactory, ChargerHandler, ChargerObserver, CsmsHandler, HubBlock } from './block-types.js';
import { authorizationBlock } from './local-list.js';
import { transactionStatusBlock } from './transaction-status.js';
import { reservationsBlock } from './reservations.js';
import { logsBlock } from './logs.js';
import { firmwareBlock } from './firmware.js';
import { dataTransferBlock } from './data-transfer.js';
import { certificatesBlock } from './certificates.js';
import { displayMessagesBlock } from './display-messages.js';
import { monitoringBlock } from './monitoring.js';
import { customerInfoBlock } from './customer-info.js';
import { costBlock } from './cost.js';
import { networkProfileBlock } from './network-profile.js';
import { v21Block } from './v21.js';
import type { FirmwareOptions } from './firmware.js';
import type { DataTransferRoute } from './data-transfer.js';

export interface BlockOptions {
  firmware: FirmwareOptions;
  dataTransferRoutes: readonly DataTransferRoute[];
}

export function blockFactories(options: BlockOptions): BlockFactory[] {
  return [
    authorizationBlock,
    transactionStatusBlock,
    reservationsBlock,
    logsBlock,
    (ctx) => firmwareBlock(ctx, options.firmware),
    (ctx) => dataTransferBlock(ctx, options.dataTransferRoutes),
    certificatesBlock,
    displayMessagesBlock,
    monitoringBlock,
    customerInfoBlock,
    costBlock,
    networkProfileBlock,
    v21Block,
  ];
}

export interface BlockTable {
  blocks: HubBlock[];
  csms: Map<string, CsmsHandler>;
  charger: Map<string, ChargerHandler>;
  observe: Map<string, ChargerObserver[]>;
}

export function buildBlockTable(ctx: BlockContext, factories: readonly BlockFactory[]): BlockTable {
  const table: BlockTable = { blocks: [], csms: new Map(), charger: new Map(), observe: new Map() };
  for (const factory of factories) {
    const block = factory(ctx);
    table.blocks.push(block);
    for (const [action, handler] of Object.entries(block.csms ?? {})) {
      if (table.csms.has(action)) throw new Error(`hub block ${block.name}: CSMS action ${action} already has a block`);
      table.csms.set(action, handler);
    }
    for (const [action, handler] of Object.entries(block.charger ?? {})) {
      if (table.charger.has(action)) throw new Error(`hub block ${block.name}: charger action ${action} already has a block`);
      table.charger.set(action, handler);
    }
    for (const [action, observer] of Object.entries(block.observe ?? {})) table.observe.set(action, [...(table.observe.get(action) ?? []), observer]);
  }
  return table;
}
