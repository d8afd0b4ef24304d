import type { Logger } from '../util/logger.js';

/**
 * The last line of defence: an exception no code path caught, or a rejected promise nobody
 * awaited, is logged and the hub keeps running. Every known path guards itself (timers through
 * the clock, socket and upgrade handlers, the RPC peer); reaching this handler is a bug to fix.
 * Losing the process would drop every station's connection and the control loop with them.
 */
export function installLastResortHandlers(log: Logger): void {
  process.on('uncaughtException', (err, origin) => {
    log.error({ err, origin }, 'uncaught exception (a bug: please report it); the hub keeps running');
  });
  process.on('unhandledRejection', (reason) => {
    log.error({ err: reason }, 'unhandled promise rejection (a bug: please report it); the hub keeps running');
  });
}
