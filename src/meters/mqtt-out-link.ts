import type { MqttConnectionState, StateListener, TopicHandler } from './meter-hub.js';

/** What MQTT out needs of a broker connection; the MeterHub provides it (one connection per hub). */
export interface MqttOutLink {
  readonly connectionState: MqttConnectionState;
  publish(topic: string, payload: string, opts?: { retain?: boolean; qos?: 0 | 1 }): Promise<void>;
  subscribe(filter: string, handler: TopicHandler): () => void;
  onStateChange(listener: StateListener): () => void;
}
