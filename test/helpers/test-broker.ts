import { afterAll, afterEach, beforeAll } from 'vitest';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/meters/embedded-broker.js';

export interface TestBroker {
  /** The broker's URL: MQTT_URL when set (CI runs Mosquitto), else an embedded broker on a free port. */
  readonly url: string;
  /** Runs `fn` after the current test (last registered first). */
  onCleanup(fn: () => Promise<void> | void): void;
}

/**
 * A real MQTT broker for the tests of one file: registers the vitest hooks that start it before
 * the file's tests, run per-test cleanups, and stop it afterwards. Tests use their own topic
 * prefixes, so a shared external broker never mixes runs.
 */
export function useTestBroker(): TestBroker {
  let broker: EmbeddedBroker | undefined;
  let url = '';
  const cleanups: Array<() => Promise<void> | void> = [];
  beforeAll(async () => {
    if (process.env.MQTT_URL) {
      url = process.env.MQTT_URL;
    } else {
      broker = await startEmbeddedBroker({ port: 0 });
      url = broker.url;
    }
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  afterAll(async () => {
    await broker?.close();
  });
  return {
    get url() {
      return url;
    },
    onCleanup: (fn) => {
      cleanups.push(fn);
    },
  };
}
