// Which committed events someone is told of, and what of each a notice may use: the event's
// own view data (hub/views/), cut to a NoticeSource that the outbox keeps with the job. Pure.
// Updates, edits, reads and drafts tell nobody; only a thing arriving does.
import type { Notice, NoticeKind } from './channel.ts';
import { key } from '../audience.ts';

export interface NoticeSource {
  kind: NoticeKind;
  target: Notice['target'];
  /** When it happened (ISO 8601). */
  at: string;
  /** A post a school leader marked urgent: through quiet hours, digests and the grace period. */
  urgent: boolean;
  /** Who did it: never told of their own doing. */
  actorId: string | null;
  /** The one person a notice may name (a message's sender, an author), shown only to those who may see them; null: nobody. */
  namedId: string | null;
  /** The title of a post, mailing or item; a conversation's subject. */
  title: string | null;
  /** The words themselves (a message, a post), for lock screens that show everything. */
  text: string | null;
  schoolId: string | null;
  /** How a read of it is recorded: a message's place in its conversation, or a feed item. */
  read: { conversationId: string; seq: number } | { itemId: string } | null;
  /** Read keys that let people read it without it being sent to them (a mailing's staff when staff were not chosen). */
  lookOnly?: string[];
}

type Data = Record<string, unknown>;
const obj = (v: unknown): Data | undefined => (typeof v === 'object' && v !== null ? (v as Data) : undefined);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

const DEVELOPMENT: Record<string, string> = {
  'feedback.published': 'feedback',
  'assessment.published': 'assessment',
  'form.released': 'form',
  'documentation.created': 'documentation',
};

/** The NoticeSource of an event someone is told of, or undefined for every other event. */
export function noticeSourceOf(e: { name: string; data: unknown }): NoticeSource | undefined {
  const data = obj(e.data);
  if (!data) return undefined;
  switch (e.name) {
    case 'message.created': {
      const m = obj(data.message);
      const id = str(m?.conversationId);
      if (!m || !id || m.deleted === true) return undefined;
      // A sender hidden from this event's readers is already left out of its data (hub/views/chat.ts).
      const sender = str(m.senderId);
      const context = obj(m.context);
      return {
        kind: 'message', target: { kind: 'conversation', id }, at: str(m.createdAt) ?? new Date().toISOString(), urgent: false,
        actorId: sender, namedId: sender, title: str(context?.title), text: str(m.body), schoolId: null,
        read: { conversationId: id, seq: Number(m.seq) },
      };
    }
    case 'post.created': {
      const p = obj(data.post);
      const id = str(p?.id);
      if (!p || !id) return undefined;
      return {
        kind: 'post', target: { kind: 'post', id }, at: str(p.createdAt) ?? new Date().toISOString(), urgent: p.urgent === true,
        actorId: str(p.authorId), namedId: str(p.authorId), title: str(p.title), text: str(p.body), schoolId: str(p.schoolId),
        read: { itemId: id },
      };
    }
    case 'mailing.created': {
      const m = obj(data.mailing);
      const id = str(m?.id);
      if (!m || !id) return undefined;
      // Staff of a chosen school read every mailing to it (docs/DOMAIN.md §2); it is sent to them only when staff were chosen.
      const staffChosen = obj(m.recipients)?.staff === true;
      const schools = Array.isArray(m.schoolIds) ? m.schoolIds.filter((s): s is string => typeof s === 'string') : [];
      return {
        lookOnly: staffChosen ? [] : schools.map(key.schoolStaff),
        kind: 'mailing', target: { kind: 'mailing', id }, at: str(m.createdAt) ?? new Date().toISOString(), urgent: false,
        actorId: str(m.authorId), namedId: str(m.authorId), title: str(m.title), text: str(m.body), schoolId: null,
        read: { itemId: id },
      };
    }
    case 'item.published': {
      const i = obj(data.item);
      const id = str(i?.id);
      if (!i || !id) return undefined;
      return {
        kind: 'item', target: { kind: 'item', id }, at: str(i.publishedAt) ?? str(i.updatedAt) ?? new Date().toISOString(), urgent: false,
        actorId: null, namedId: null, title: str(i.title), text: str(i.description), schoolId: str(i.schoolId), read: null,
      };
    }
    default: {
      const field = DEVELOPMENT[e.name];
      const r = field ? obj(data[field]) : undefined;
      const id = str(r?.id);
      if (!r || !id) return undefined;
      // Development records name children and their families: a notice says only that there is something new.
      return {
        kind: 'development', target: { kind: 'development', id }, at: str(r.publishedAt) ?? str(r.updatedAt) ?? str(r.createdAt) ?? new Date().toISOString(),
        urgent: false, actorId: str(r.authorId) ?? str(r.mentorId), namedId: null, title: null, text: null, schoolId: str(r.schoolId), read: null,
      };
    }
  }
}
