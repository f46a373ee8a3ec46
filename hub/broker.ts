// The contract between a hub node and the others: topics in, topics out. The broker only
// moves messages between nodes; local subscriber bookkeeping stays in the node (fanout.ts).
export interface BrokerMessage {
  topic: string;
  /** The event envelope, serialized once by the publishing node (JSON). */
  payload: string;
}

export interface Broker {
  /** Publish one message to one topic (one broker message per topic and event). */
  publish(topic: string, payload: string): Promise<void>;
  /** Start receiving messages for a topic; called when its first local listener arrives. */
  subscribe(topic: string): Promise<void>;
  /** Stop receiving; called when the last local listener leaves. */
  unsubscribe(topic: string): Promise<void>;
  onMessage(handler: (msg: BrokerMessage) => void): void;
  /** Connected and able to publish. */
  healthy(): boolean;
  close(): Promise<void>;
}
