import type { MqttConnectionState, StateListener, TopicHandler } from './meter-hub.js';

/** What MQTT out needs of a broker connection; the MeterHub provides it (one connection per hub). */
export interface MqttOutLink {
  readonly connectionState: MqttConnectionState;
  /** Connected, and every subscription made so far is acknowledged by the broker. */
  readonly subscriptionsStand: boolean;
  /** Resolves once `subscriptionsStand` (at once if it does); rejects when the link closes. */
  subscribed(): Promise<void>;
  publish(topic: string, payload: string, opts?: { retain?: boolean; qos?: 0 | 1 }): Promise<void>;
  subscribe(filter: string, handler: TopicHandler): () => void;
  onStateChange(listener: StateListener): () => void;
}
