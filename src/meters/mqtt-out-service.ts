import { readFileSync } from 'node:fs';
import type { CircuitNode } from '../energy/site-model.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { CommandTopic, type MqttCommands } from './command-topic.js';
import { availabilityTopic, type ResolvedMqttOut } from './mqtt-out-config.js';
import { siteImportCapacity } from '../energy/site-capacity.js';
import type { MqttOutLink } from './mqtt-out-link.js';
import type { MqttOutState } from './mqtt-out-state.js';
import { StatePublisher } from './state-publisher.js';
import type { DiscoveryInput } from './ha-discovery.js';

export interface MqttOutDeps {
  link: MqttOutLink;
  clock: Clock;
  log: Logger;
  settings: ResolvedMqttOut;
  read: () => MqttOutState;
  commands: MqttCommands;
  /** The operation modes an EVSE can be set to (the options of its mode select). */
  modes: readonly string[];
  /** Upper bound of the site limit number in Home Assistant, W. */
  siteLimitMaxW: number;
  swVersion?: string;
  checkIntervalMs?: number;
  /** Max current numbers and start/stop buttons in Home Assistant. */
  discoveryExtras?: Pick<DiscoveryInput, 'currentRangeOf' | 'remoteStartStop'>;
}

/**
 * MQTT out: the state publisher (with Home Assistant discovery) and the command topic on one
 * connection. Start it before the connection starts or after: it publishes at every connect.
 */
export class MqttOut {
  readonly publisher: StatePublisher;
  readonly commandTopic: CommandTopic;

  constructor(deps: MqttOutDeps) {
    this.publisher = new StatePublisher({
      link: deps.link,
      clock: deps.clock,
      log: deps.log,
      settings: deps.settings,
      read: deps.read,
      discovery: { swVersion: deps.swVersion ?? packageVersion(), modes: deps.modes, siteLimitMaxW: deps.siteLimitMaxW, ...deps.discoveryExtras },
      ...(deps.checkIntervalMs !== undefined ? { checkIntervalMs: deps.checkIntervalMs } : {}),
    });
    this.commandTopic = new CommandTopic({
      link: deps.link,
      log: deps.log,
      topicPrefix: deps.settings.topicPrefix,
      commands: deps.commands,
      modes: deps.modes,
      siteLimitDurationS: deps.settings.siteLimitDurationS,
      onApplied: () => this.publisher.notify(),
    });
  }

  start(): void {
    this.commandTopic.start();
    this.publisher.start();
  }

  /** Stops listening to commands and publishes `offline`. */
  async stop(): Promise<void> {
    this.commandTopic.stop();
    await this.publisher.stop();
  }
}

/** The last will to give the connection, so that `offline` is published when the hub dies. */
export function mqttOutWill(settings: ResolvedMqttOut): { topic: string; payload: string; retain: true; qos: 1 } {
  return { topic: availabilityTopic(settings.topicPrefix), payload: 'offline', retain: true, qos: 1 };
}

/** The site's import capacity, W (the upper bound of the site limit number in Home Assistant). */
export function siteLimitMaxWOf(circuits: readonly CircuitNode[], voltageV: number): number {
  return siteImportCapacity(circuits, voltageV).powerW;
}

let cachedVersion: string | undefined;

/** This package's version (from the nearest package.json up from this file), or `unknown`. */
export function packageVersion(): string {
  if (cachedVersion !== undefined) return cachedVersion;
  cachedVersion = 'unknown';
  let dir = new URL('.', import.meta.url);
  for (let i = 0; i < 5; i++) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8'));
      if (typeof parsed === 'object' && parsed !== null && 'version' in parsed && typeof parsed.version === 'string') {
        cachedVersion = parsed.version;
        break;
      }
    } catch {
      // not here: look one folder up
    }
    dir = new URL('..', dir);
  }
  return cachedVersion;
}
