import { z } from 'zod';

/**
 * The `mqttOut` block of a site config: site and EVSE state published to the MQTT broker,
 * Home Assistant discovery, and the command topic. Uses the broker of the `mqtt` block.
 */

const topicPrefix = z
  .string()
  .min(1)
  .max(200)
  .refine((t) => !/[+#]/.test(t) && !t.includes('\u0000'), 'a topic prefix without MQTT wildcards (+, #) or NUL')
  .refine((t) => !t.startsWith('/') && !t.endsWith('/') && !t.includes('//'), 'a topic prefix without empty levels (no leading, trailing or double /)');

export const mqttOutConfigSchema = z.strictObject({
  enabled: z.boolean().default(false),
  /** Where state goes and commands come from. Default `switchyard/<site name as a slug>`. */
  topicPrefix: topicPrefix.optional(),
  /** Home Assistant discovery prefix; Home Assistant's default is `homeassistant`. */
  discoveryPrefix: topicPrefix.default('homeassistant'),
  /** Publish Home Assistant discovery configs. */
  discovery: z.boolean().default(true),
  /** Every value is republished this often, s; changes go out within a second. */
  publishIntervalS: z.number().positive().max(86_400).default(60),
  /** Publish state retained, so a new subscriber sees the last values at once. */
  retain: z.boolean().default(true),
  /** How long a site limit set over MQTT holds when the command gives no duration, s. */
  siteLimitDurationS: z.number().int().min(1).max(7 * 86_400).default(86_400),
  /**
   * Id token of a transaction started by the start button / command (standalone mode). A charger
   * that authorizes remote starts asks the hub about it: put it on the authorization list.
   */
  startIdToken: z.string().min(1).max(20).default('home-assistant'),
});

export type MqttOutConfig = z.infer<typeof mqttOutConfigSchema>;

/** The settings with the defaults that depend on the site filled in. */
export interface ResolvedMqttOut {
  topicPrefix: string;
  discoveryPrefix: string;
  discovery: boolean;
  publishIntervalS: number;
  retain: boolean;
  siteLimitDurationS: number;
  /** Home Assistant node id: letters, digits and _ only, unique per topic prefix. */
  nodeId: string;
  siteName: string;
}

/** Lower case, runs of anything but letters and digits made one `_`. */
export function slugOf(text: string): string {
  const slug = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return slug === '' ? 'site' : slug;
}

export function resolveMqttOut(config: MqttOutConfig, siteName: string): ResolvedMqttOut {
  const topicPrefixResolved = config.topicPrefix ?? `switchyard/${slugOf(siteName).replace(/_/g, '-')}`;
  return {
    topicPrefix: topicPrefixResolved,
    discoveryPrefix: config.discoveryPrefix,
    discovery: config.discovery,
    publishIntervalS: config.publishIntervalS,
    retain: config.retain,
    siteLimitDurationS: config.siteLimitDurationS,
    // A site named "Switchyard demo" gives switchyard/switchyard-demo: its node id says switchyard once.
    nodeId: slugOf(topicPrefixResolved).replace(/^(switchyard_)+/, 'switchyard_'),
    siteName,
  };
}

/** The availability topic: `online` while the hub is connected, `offline` (last will) otherwise. */
export function availabilityTopic(topicPrefix: string): string {
  return `${topicPrefix}/status`;
}
