import type { Logger } from '../util/logger.js';
import type { CompiledMapping, MappingErrorCode } from './payload-mapping.js';

/** Bad payloads of one mapping are logged at most this often. */
const BAD_PAYLOAD_LOG_INTERVAL_MS = 60_000;

interface Entry {
  lastLoggedMs: number;
  suppressed: number;
}

/**
 * Logs a meter's bad payloads at most once a minute per mapping (meter and quantity), with the
 * number of bad payloads left unlogged since the last line: a device that sends garbage every
 * second fills no disk, and the operator still sees how many there were.
 */
export class BadPayloadLog {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly log: Logger) {}

  report(mapping: CompiledMapping, code: MappingErrorCode, message: string, nowMs: number): void {
    const key = `${mapping.meterId}\u0000${mapping.quantity}`;
    const entry = this.entries.get(key);
    if (entry && nowMs - entry.lastLoggedMs < BAD_PAYLOAD_LOG_INTERVAL_MS) {
      entry.suppressed++;
      return;
    }
    this.log.warn({ meterId: mapping.meterId, quantity: mapping.quantity, topic: mapping.topic, code, suppressed: entry?.suppressed ?? 0 }, `meters: bad payload: ${message}`);
    this.entries.set(key, { lastLoggedMs: nowMs, suppressed: 0 });
  }
}
