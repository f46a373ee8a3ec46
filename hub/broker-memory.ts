// The in-process broker: one node, no Redis. Delivery is synchronous and in publish order.
import type { Broker, BrokerMessage } from './broker.ts';

export class MemoryBroker implements Broker {
  private readonly handlers: ((msg: BrokerMessage) => void)[] = [];
  private readonly topics = new Set<string>();
  private closed = false;

  async publish(topic: string, payload: string): Promise<void> {
    if (this.closed) throw new Error('broker closed');
    if (!this.topics.has(topic)) return;
    for (const h of this.handlers) h({ topic, payload });
  }
  async subscribe(topic: string): Promise<void> {
    this.topics.add(topic);
  }
  async unsubscribe(topic: string): Promise<void> {
    this.topics.delete(topic);
  }
  onMessage(handler: (msg: BrokerMessage) => void): void {
    this.handlers.push(handler);
  }
  healthy(): boolean {
    return !this.closed;
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}
