// A node's copies of the conversations its people wrote in lately, so that message.send is one
// round trip to PostgreSQL instead of two: the sender's rights are checked against the copy,
// and the insert stores nothing unless the copy is still what is stored (storage/chat.ts,
// appendMessage's `unlessChanged`). A copy is never trusted on its own: when it is stale, or
// when it refuses, the send reads the conversation again and is checked as if there were none
// (hub/handlers/chat.ts). So a copy can only save time, never decide differently.
import type { ConversationRow } from '../storage/chat.ts';

/**
 * Copies kept at the most, the least recently used dropped first. A copy is a few hundred
 * bytes (its read marks are not kept, below): 10,000 is a few MB, and more conversations than a
 * node's senders keep busy at once.
 */
export const CONVERSATION_COPIES = 10_000;

/**
 * How a send found its conversation (schoolhub_conversation_copies_total): its copy held
 * (`used`; a retry of a stored clientKey too), the copy was stale or refused and the conversation was read again (`read_again`),
 * or there was no copy and it was read (`no_copy`). Many `read_again` means conversations
 * change under their senders, or a copy never matches what is stored.
 */
export type CopyOutcome = 'used' | 'read_again' | 'no_copy';

export class ConversationCopies {
  private readonly rows = new Map<string, ConversationRow>();

  constructor(
    private readonly capacity = CONVERSATION_COPIES,
    /** Told how each send found its conversation. */
    readonly counted: (outcome: CopyOutcome) => void = () => {},
  ) {}

  get size(): number {
    return this.rows.size;
  }

  /** The copy of conversation `id`, if this node keeps one; it becomes the most recently used. */
  get(id: string): ConversationRow | undefined {
    const row = this.rows.get(id);
    if (row) {
      this.rows.delete(id);
      this.rows.set(id, row);
    }
    return row;
  }

  /**
   * Keeps `row` as read, in place of any older copy. A conversation with an audience takes its
   * members from the directory; its stored ones are read marks, one per guardian or student who
   * ever read it (hundreds in a group's), which a send neither uses nor compares: not kept.
   */
  keep(row: ConversationRow): void {
    this.rows.delete(row.id);
    this.rows.set(row.id, row.audience ? { ...row, participantIds: [] } : row);
    // A Map iterates in insertion order: its first key is the least recently used.
    if (this.rows.size > this.capacity) this.rows.delete(this.rows.keys().next().value!);
  }

  drop(id: string): void {
    this.rows.delete(id);
  }
}
