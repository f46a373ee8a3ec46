// Messages between nodes (hub/control.ts): each kind round-trips, anything else is refused.
import { describe, expect, it } from 'vitest';
import { controlTopic, decodeControl, decodeEnvelope, encodeControl, encodeEnvelope, isControlTopic } from './control.ts';

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

  it('control topics are reserved, audience topics are not control', () => {
    for (const k of ['tick', 'typing', 'directory'] as const) expect(isControlTopic(controlTopic(k))).toBe(true);
    for (const t of ['p:x', 'gs:g', 'all']) expect(isControlTopic(t)).toBe(false);
  });
});
