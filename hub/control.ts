// The messages between nodes over the broker, in one place (issue 16 item 5): the event
// envelope on the audience topics, and the control topics every node listens to. Topics
// starting with "__" are reserved for control and never name an audience (hub/audience.ts keys
// have other prefixes). Every message is JSON, validated with zod when it arrives: a message
// from another version or a broken node is ignored, never half-used.
import { z } from 'zod';
import type { Envelope, Tick } from './sequencer.ts';
import type { TypingSignal } from './typing.ts';

const nodeId = z.string().min(1).max(100);
const eventId = z.int().min(0);

/** An event as committed by one node, on each audience topic it goes to (hub/delivery.ts). */
const envelope = z.object({ id: eventId, name: z.string(), data: z.unknown(), at: z.number(), node: nodeId }) satisfies z.ZodType<Envelope>;

const CONTROL = {
  /** After each commit: the event's id, its predecessor and topics (hub/sequencer.ts orders by it). */
  tick: { topic: '__tick', schema: z.object({ id: eventId, topics: z.array(z.string()), node: nodeId }) satisfies z.ZodType<Tick> },
  /** A typing signal for the recipients' devices on every node (hub/typing.ts). */
  typing: {
    topic: '__typing',
    schema: z.object({
      node: nodeId, conversationId: z.string(), personId: z.string(), name: z.string(), typing: z.boolean(), to: z.array(z.string()),
    }) satisfies z.ZodType<TypingSignal & { node: string }>,
  },
  /** A directory import or guardian block landed: the id of the newest import (hub/directory-view.ts). */
  directory: { topic: '__directory', schema: eventId },
} as const;

export type ControlKind = keyof typeof CONTROL;
export type ControlMessage<K extends ControlKind> = z.infer<(typeof CONTROL)[K]['schema']>;

export const controlTopic = <K extends ControlKind>(kind: K): (typeof CONTROL)[K]['topic'] => CONTROL[kind].topic;

/** Control topics are not audience topics: delivery leaves them to their owners. */
export const isControlTopic = (topic: string): boolean => topic.startsWith('__');

function parse<T>(schema: z.ZodType<T>, payload: string): T | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(payload);
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

export function encodeControl<K extends ControlKind>(_kind: K, message: ControlMessage<K>): string {
  return JSON.stringify(message);
}

/** The message, or undefined when it is not JSON or not of this kind's shape. */
export function decodeControl<K extends ControlKind>(kind: K, payload: string): ControlMessage<K> | undefined {
  // The table pairs each kind with its schema; TypeScript cannot follow K through the union.
  return parse(CONTROL[kind].schema as z.ZodType, payload) as ControlMessage<K> | undefined;
}

export const encodeEnvelope = (e: Envelope): string => JSON.stringify(e);

export const decodeEnvelope = (payload: string): Envelope | undefined => parse(envelope, payload);

/**
 * Was this tick or envelope sent by `node`? Told without parsing it: both are written with
 * `node` as their last key (hub/delivery.ts builds them so). A node's own messages come back
 * from the broker, an envelope once per topic and a tick per event, and are ignored; parsing
 * and validating each was about 3% of a busy hub's CPU (loadtest/RESULTS.md). A message that
 * only claims to be ours is ignored as ours is.
 */
export function sentBy(node: string): (payload: string) => boolean {
  const end = `,"node":${JSON.stringify(node)}}`;
  return (payload) => payload.endsWith(end);
}
