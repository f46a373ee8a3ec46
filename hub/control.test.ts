// Messages between nodes (hub/control.ts): each kind round-trips, anything else is refused.
import { describe, expect, it } from 'vitest';
import { controlTopic, decodeControl, decodeEnvelope, encodeControl, encodeEnvelope, isControlTopic, sentBy } from './control.ts';

describe('messages between nodes', () => {
  it('round-trip', () => {
    const tick = { id: 5, topics: ['p:x'], node: 'n1' };
    expect(decodeControl('tick', encodeControl('tick', tick))).toEqual(tick);
    const typing = { node: 'n1', conversationId: 'c', personId: 'p', name: 'Ann', typing: true, to: ['q'] };
    expect(decodeControl('typing', encodeControl('typing', typing))).toEqual(typing);
    expect(decodeControl('directory', encodeControl('directory', 12))).toBe(12);
    const env = { id: 5, name: 'message.created', data: { a: [1] }, at: 1, node: 'n1' };
    expect(decodeEnvelope(encodeEnvelope(env))).toEqual(env);
  });

  it('refuse what is not JSON or not of the shape', () => {
    for (const bad of ['', 'nope', 'null', '[]', '{"id":1.5,"topics":[],"node":"n"}', '{"id":1,"topics":"p:x","node":"n"}', '{"__proto__":{"id":1}}']) {
      expect(decodeControl('tick', bad), bad).toBeUndefined();
      expect(decodeEnvelope(bad), bad).toBeUndefined();
    }
    expect(decodeControl('typing', '{"node":"n","conversationId":"c","personId":"p","name":"A","typing":"yes","to":[]}')).toBeUndefined();
    expect(decodeControl('directory', '"12"')).toBeUndefined();
  });

  it("tell a node's own ticks and envelopes without parsing them, and no one else's", () => {
    const mine = sentBy('n1');
    expect(mine(encodeControl('tick', { id: 5, topics: ['p:x'], node: 'n1' }))).toBe(true);
    expect(mine(encodeEnvelope({ id: 5, name: 'message.created', data: { node: 'n2' }, at: 1, node: 'n1' }))).toBe(true);
    expect(mine(encodeControl('tick', { id: 5, topics: ['p:x'], node: 'n11' }))).toBe(false);
    expect(mine(encodeControl('tick', { id: 5, topics: ['p:x'], node: 'xn1' }))).toBe(false);
    // Data that ends the same way is inside the envelope, before its own node.
    expect(mine(encodeEnvelope({ id: 5, name: 'x', data: { node: 'n1' }, at: 1, node: 'n2' }))).toBe(false);
    // A node id that needs escaping in JSON.
    expect(sentBy('n"1')(encodeControl('tick', { id: 1, topics: [], node: 'n"1' }))).toBe(true);
  });

  it('control topics are reserved, audience topics are not control', () => {
    for (const k of ['tick', 'typing', 'directory'] as const) expect(isControlTopic(controlTopic(k))).toBe(true);
    for (const t of ['p:x', 'gs:g', 'all']) expect(isControlTopic(t)).toBe(false);
  });
});
