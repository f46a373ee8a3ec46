// Where personal data is stored: one list that both the per-person export (GDPR art. 15,
// hub/privacy/export.ts) and the retention job (hub/privacy/retention.ts) walk. A channel
// that stores something about people adds ONE entry to `privacySources` below, and so is
// both exported and expired; nothing else needs to change.
import type { Sql } from '../../storage/pool.ts';
import type { Directory } from '../directory/model.ts';
import type { LinkPatterns } from '../config.ts';
import {
  conversationCandidates, conversationIdsOf, expireConversations, getConversation, messagesOf, readMarksOf, type ConversationRow,
} from '../../storage/chat.ts';
import { conferenceIdsOf, expireConferences, expireItems, getConference, getItem, itemIdsOf, itemStartsOf } from '../../storage/items.ts';
import { expireMailings, expirePosts, feedIdsOf, feedReadsOf, feedRowsByIds } from '../../storage/feed.ts';
import { directoryRecordsOf } from '../../storage/directory.ts';
import { postsWithHeldReactions, reactionsBy } from '../../storage/reactions.ts';
import { auditEntries } from '../../storage/privacy.ts';
import { RETENTION_BATCH, type Holds } from '../../storage/retention.ts';
import { audienceMembers } from '../rules/index.ts';
import { conversationView, messageView, participantsNow, type Shown } from '../views/chat.ts';
import { mailingView, postView, scheduledView } from '../views/feed.ts';
import { askView, wireAnswer } from '../views/post-answers.ts';
import { answersGivenBy, postsOfHeldAnswers } from '../../storage/post-answers.ts';
import { expireScheduled, scheduledForExport } from '../../storage/scheduled.ts';
import { itemView } from '../views/items.ts';
import { conferenceView } from '../views/conferences.ts';
import { conversationCutoff, type RetentionDistrict } from './periods.ts';
import { assessmentsForExport, expireAssessments, feedbackForExport, itemsOfHeldFeedback } from '../../storage/development.ts';
import { conferencesOfHeldForms, formsForExport } from '../../storage/forms.ts';
import {
  attachmentsOf, attachmentsOwnedBy, documentationForExport, existingAttachmentIds, expireDocumentationBatch, expireUnlinkedAttachmentBatch,
} from '../../storage/documentation.ts';
import type { AttachmentFiles } from '../../storage/attachment-files.ts';
import { deletePushSubscriptions, pushSubscriptionPage, pushSubscriptionsOf } from '../../storage/push-subscriptions.ts';
import { districtsOfPerson } from './periods.ts';
import { canReadAssessment, canReadDocumentation, canReadFeedback, formSidesFor, formTemplate } from '../rules/index.ts';
import { expireOutbox, outboxOf } from '../../storage/notification-outbox.ts';
import { forgetPreferencesOfOthers, preferencesOf } from '../../storage/notification-preferences.ts';
import type { NoticeSource } from '../notify/source.ts';
import { assessmentView, documentationView, feedbackView, formView, storedForm } from '../views/development.ts';
import { attachmentView } from '../views/files.ts';

/** One person's export is gathered with this. */
export interface ExportScope {
  sql: Sql;
  /** The directory now (guardian blocks applied: a blocked guardian gets nothing of that child). */
  dir: Directory;
  personId: string;
  /** The person's read keys now (hub/audience.ts readKeysOf): what they may read. */
  readKeys: string[];
  /** Whom the person may see (protected identities of other families are not shown). */
  show: Shown;
  links: LinkPatterns;
}

/** One retention run is done with this. */
export interface RetentionContext {
  sql: Sql;
  dir: Directory;
  now: Date;
  /** Districts that have a period; nothing of any other district is deleted. */
  districts: RetentionDistrict[];
  /** District id → cutoff (ISO), for the districts in `districts`. */
  cutoffs: ReadonlyMap<string, string>;
  holds: Holds;
  /** The bytes of attachments (HUB_DATA_DIR/attachments): removed with their rows. */
  files: AttachmentFiles;
}

/**
 * The expiry of a table whose rows go by their school's district cutoff: `expireRows` for
 * each district, the total under the table's name.
 */
function expireByDistrict(
  table: string, expireRows: (sql: Sql, schoolIds: string[], cutoff: string, holds: Holds) => Promise<number>,
): NonNullable<PrivacySource['expire']> {
  return async ({ sql, districts, holds }) => {
    let n = 0;
    for (const d of districts) n += await expireRows(sql, d.schoolIds, d.cutoff, holds);
    return { [table]: n };
  };
}

export interface PrivacySource {
  /** The key of this source's part of the export. */
  name: string;
  /** What is stored about the person, as they may see it: nothing of others beyond what they were shown. */
  export(scope: ExportScope): Promise<unknown>;
  /**
   * Deletes what is older than its district's cutoff (ctx.districts) and not under legal hold
   * (ctx.holds: persons, conversations, items by id); returns rows deleted by table. Leave it
   * out for data that is not expired (the directory, the audit log).
   */
  expire?(ctx: RetentionContext): Promise<Record<string, number>>;
  /**
   * Ids of other sources' records that must stay because something of this source under
   * hold hangs off them (a held student's feedback on an item: deleting the item would take
   * it along through ON DELETE CASCADE). Asked before anything is expired; the ids join
   * ctx.holds.items for every source.
   */
  protects?(ctx: RetentionContext): Promise<string[]>;
}

const directorySource: PrivacySource = {
  name: 'directory',
  async export({ sql, dir, personId, show }) {
    const stored = await directoryRecordsOf(sql, personId);
    const person = dir.person(personId);
    const group = (id: string, as: 'member' | 'owner') => {
      const g = dir.groups.get(id);
      return g ? { id, name: g.name, kind: g.kind, schoolId: g.schoolId, as } : { id, as };
    };
    const named = (ids: Iterable<string>) => [...ids].filter(show).map((id) => ({ id, name: dir.person(id)?.name ?? 'Unknown' }));
    return {
      ...stored,
      // What the hub makes of the records today (guardian blocks applied).
      now: person
        ? {
          name: person.name,
          protectedIdentity: person.protected,
          roles: dir.rolesOf(personId),
          groups: [...[...dir.groupsOf(personId)].map((g) => group(g, 'member')), ...[...dir.groupsOwnedBy(personId)].map((g) => group(g, 'owner'))],
          guardians: named(dir.guardiansOf(personId)),
          children: named(dir.childrenOf(personId)),
        }
        : null,
    };
  },
};

const CANDIDATE_PAGE = 200;

const conversationsSource: PrivacySource = {
  name: 'conversations',
  async export({ sql, dir, personId, readKeys, show, links }) {
    const ids = await conversationIdsOf(sql, personId, readKeys);
    const [convs, messages, marks, starts] = await Promise.all([
      Promise.all(ids.map((id) => getConversation(sql, id))),
      messagesOf(sql, ids),
      readMarksOf(sql, personId),
      itemStartsOf(sql, personId),
    ]);
    const byConversation = new Map<string, typeof messages>();
    for (const m of messages) {
      let list = byConversation.get(m.conversationId);
      if (!list) byConversation.set(m.conversationId, (list = []));
      list.push(m);
    }
    const conversations = convs.filter((c): c is ConversationRow => c !== undefined).map((c) => {
      const participants = participantsNow(dir, c);
      // In it now: everything in it, as they are shown it. Not any more (left the group, a
      // guardian block): only their own messages, since what came later was never theirs.
      const inNow = participants.includes(personId);
      const own = (byConversation.get(c.id) ?? []).filter((m) => inNow || m.senderId === personId);
      const mark = marks.get(c.id);
      return {
        ...conversationView(dir, show, links, c, inNow ? participants : []),
        participantNow: inNow,
        readSeq: mark?.readSeq ?? null,
        joinedAt: mark?.joinedAt ?? null,
        lastSeq: c.lastSeq,
        messages: own.map((m) => messageView(dir, show, links, m, c.context)),
      };
    });
    return {
      conversations,
      // §3: teachers with whom the person started a plan/assignment conversation (or, for a
      // teacher, those who started one with them), as far as the person may see them.
      startedThroughItems: starts
        .filter((s) => show(s.teacherId) && show(s.personId))
        .map((s) => ({ teacherId: s.teacherId, personId: s.personId, conversationId: s.conversationId, firstAt: s.firstAt })),
    };
  },
  async expire({ sql, dir, districts, cutoffs, holds }) {
    if (districts.length === 0) return { messages: 0, conversations: 0 };
    // Nothing newer than the latest cutoff (the shortest period) can be due anywhere.
    const latest = districts.map((d) => d.cutoff).reduce((a, b) => (a > b ? a : b));
    const heldPersons = new Set(holds.persons);
    const heldConversations = new Set(holds.conversations);
    const heldItems = new Set(holds.items);
    const total = { messages: 0, conversations: 0 };
    for (let after = '';;) {
      const page = await conversationCandidates(sql, latest, holds.persons, after, CANDIDATE_PAGE);
      const due: { id: string; cutoff: string }[] = [];
      for (const c of page) {
        const people = new Set(c.memberIds);
        if (c.audience) for (const p of audienceMembers(dir, c.audience)) people.add(p);
        if (c.context?.studentId) people.add(c.context.studentId);
        if (c.audience?.kind === 'conference') people.add(c.audience.studentId);
        const held = c.heldSender || heldConversations.has(c.id)
          || (c.context !== null && heldItems.has(c.context.id))
          || (c.audience?.kind === 'conference' && heldItems.has(c.audience.conferenceId))
          || [...people].some((p) => heldPersons.has(p));
        if (held) continue;
        const cutoff = conversationCutoff(dir, c, cutoffs);
        if (cutoff !== null) due.push({ id: c.id, cutoff });
      }
      const n = await expireConversations(sql, due);
      total.messages += n.messages;
      total.conversations += n.conversations;
      if (page.length < CANDIDATE_PAGE) return total;
      after = page[page.length - 1]!.id;
    }
  },
};

const feedSource: PrivacySource = {
  name: 'feed',
  async export({ sql, dir, personId, readKeys }) {
    const ids = await feedIdsOf(sql, personId, readKeys);
    const [rows, reads] = await Promise.all([feedRowsByIds(sql, ids.posts, ids.mailings), feedReadsOf(sql, personId)]);
    const readIds = new Set(reads.map((r) => r.itemId));
    return {
      posts: rows.posts.map((p) => ({ ...postView(dir, p), authored: p.authorId === personId, read: readIds.has(p.id) })),
      mailings: rows.mailings.map((m) => ({ ...mailingView(dir, m), authored: m.authorId === personId, read: readIds.has(m.id) })),
      reads,
    };
  },
  async expire({ sql, districts, holds }) {
    const out = { posts: 0, mailings: 0 };
    for (const d of districts) {
      out.posts += await expirePosts(sql, d.schoolIds, d.cutoff, holds);
      out.mailings += await expireMailings(sql, d.id, d.cutoff, holds);
    }
    return out;
  },
};

// Reactions (issue 13): the person's own, with what they are on. They go with their message or
// post (ON DELETE CASCADE), so retention needs nothing of its own; a held person's reactions
// keep their posts (`protects`) and their conversations (storage/chat.ts conversationCandidates).
const reactionsSource: PrivacySource = {
  name: 'reactions',
  async export({ sql, personId }) {
    return reactionsBy(sql, personId);
  },
  protects: ({ sql, holds }) => postsWithHeldReactions(sql, holds.persons),
};

/**
 * Answers to posts that ask (acknowledge, RSVP): what the person answered, for whom. They go
 * with their post (ON DELETE CASCADE, expired with posts above); a held person's answers, given
 * or given for them, keep their post.
 */
const postAnswersSource: PrivacySource = {
  name: 'postAnswers',
  async export({ sql, dir, personId }) {
    const children = dir.childrenOf(personId);
    return (await answersGivenBy(sql, personId)).map((a) => {
      // A child no longer theirs (a guardian block) is not named; the answer is still theirs.
      const named = a.forId === personId || children.has(a.forId);
      return {
        postId: a.postId, postTitle: a.postTitle, ask: askView(a.ask),
        forId: named ? a.forId : null, forName: named ? dir.person(a.forId)?.name ?? null : null,
        answer: wireAnswer(a.choice), answeredAt: a.answeredAt,
      };
    });
  },
  protects: ({ sql, holds }) => postsOfHeldAnswers(sql, holds.persons),
};

/** What the person scheduled (docs/PROTOCOL.md "Scheduled posts and mailings"): theirs alone until published. */
const scheduledSource: PrivacySource = {
  name: 'scheduled',
  async export({ sql, personId }) {
    return (await scheduledForExport(sql, personId)).map(scheduledView);
  },
  async expire({ sql, districts, holds }) {
    let n = 0;
    for (const d of districts) n += await expireScheduled(sql, d.id, d.schoolIds, d.cutoff, holds);
    return { scheduled_items: n };
  },
};

// ── Part A's development records (docs/DOMAIN.md §4, §6–§8) ──
// What is about the person (or, for a guardian, about their children now), as the handlers'
// rules and views show it to them, and what they wrote as staff. Feedback and forms hang off
// an item or a conference (ON DELETE CASCADE) and are expired with it: their `protects` keeps
// the parents of held rows. Assessments and documentation (with its attachments and their
// files) expire on their own.

/** The person and their children now (guardian blocks applied): whose records they get. */
const subjectsOf = (dir: Directory, personId: string) => [personId, ...dir.childrenOf(personId)];

/** Of feedback or assessments: what the person wrote (marked `authored`), and what is published to them. */
function writtenOrPublished<R extends { authorId: string; state: string }, V extends object>(
  rows: readonly R[], personId: string, mayRead: (r: R) => boolean, view: (r: R) => V,
): (V & { authored: boolean })[] {
  return rows
    .filter((r) => r.authorId === personId || (r.state === 'published' && mayRead(r)))
    .map((r) => ({ ...view(r), authored: r.authorId === personId }));
}

const feedbackSource: PrivacySource = {
  name: 'feedback',
  async export({ sql, dir, personId, readKeys }) {
    const rows = await feedbackForExport(sql, personId, subjectsOf(dir, personId), readKeys);
    return writtenOrPublished(rows, personId, (f) => canReadFeedback(dir, personId, f), (f) => feedbackView(dir, f));
  },
  protects: ({ sql, holds }) => itemsOfHeldFeedback(sql, holds.items, holds.persons),
};

const assessmentsSource: PrivacySource = {
  name: 'assessments',
  async export({ sql, dir, personId, readKeys }) {
    const rows = await assessmentsForExport(sql, personId, subjectsOf(dir, personId), readKeys);
    return writtenOrPublished(rows, personId, (a) => canReadAssessment(dir, personId, a), (a) => assessmentView(dir, a));
  },
  expire: expireByDistrict('assessments', expireAssessments),
};

const formsSource: PrivacySource = {
  name: 'forms',
  async export({ sql, dir, personId, readKeys, show }) {
    const rows = await formsForExport(sql, personId, subjectsOf(dir, personId), readKeys);
    return rows.flatMap((f): unknown[] => {
      // Their side's fields, every side once the conference is closed (formSidesFor).
      const sides = formSidesFor(dir, personId, storedForm(f));
      if (sides.length > 0) return [{ ...formView(dir, f, sides, show), mentored: f.mentorId === personId }];
      // No relation left (no longer the student's guardian): only the answers they wrote.
      const template = formTemplate(f.templateId);
      const own = (template?.fields ?? []).flatMap((field) => {
        const a = f.answers[field.id];
        return a && a.by === personId ? [{ id: field.id, side: field.side, label: field.label, answer: { value: a.value, at: a.at } }] : [];
      });
      return own.length === 0 ? [] : [{ id: f.id, conferenceId: f.conferenceId, templateId: f.templateId, title: template?.title ?? f.templateId, ownAnswers: own }];
    });
  },
  protects: ({ sql, holds }) => conferencesOfHeldForms(sql, holds.items, holds.persons),
};

/** Uploads never taken by a documentation are removed after this long. */
export const UNLINKED_UPLOAD_MS = 24 * 3_600_000;
const FILE_CHECK_PAGE = 1_000;

const documentationSource: PrivacySource = {
  name: 'documentation',
  async export({ sql, dir, personId, readKeys, show }) {
    const own = dir.childrenOf(personId);
    const rows = await documentationForExport(sql, personId, [...own], readKeys);
    const shown = rows.flatMap((d) => {
      const authored = d.authorId === personId;
      // The author: every child they wrote about. The child: themself. A guardian: their own
      // child only, never another (as in the guardian's event, hub/handlers/documentation.ts).
      const children = authored
        ? d.childIds.filter(show)
        : d.childIds.includes(personId)
          ? [personId]
          : canReadDocumentation(dir, personId, d) ? d.childIds.filter((c) => own.has(c)) : [];
      return authored || children.length > 0 ? [{ d, children, authored }] : [];
    });
    const [attachments, uploads] = await Promise.all([attachmentsOf(sql, shown.map((x) => x.d.id)), attachmentsOwnedBy(sql, personId)]);
    return {
      documentation: shown.map(({ d, children, authored }) => ({ ...documentationView(dir, d, attachments.get(d.id) ?? [], children), authored })),
      // What they uploaded (the facts; the bytes are served by the attachment URL).
      uploads: uploads.map((a) => ({ ...attachmentView(a), documentationId: a.documentationId, createdAt: a.createdAt })),
    };
  },
  async expire({ sql, districts, holds, now, files }) {
    const out = { documentation: 0, attachments: 0, attachmentFiles: 0 };
    const removeFiles = async (ids: readonly string[]) => {
      for (const id of ids) await files.remove(id);
      out.attachments += ids.length;
      out.attachmentFiles += ids.length;
    };
    for (const d of districts) {
      for (;;) {
        const batch = await expireDocumentationBatch(sql, d.schoolIds, d.cutoff, holds, RETENTION_BATCH);
        out.documentation += batch.documentation;
        await removeFiles(batch.attachmentIds);
        if (batch.documentation < RETENTION_BATCH) break;
      }
    }
    // Housekeeping in every district, with or without a period: uploads that no documentation
    // took within a day, and files whose row is gone (a node that stopped between the two).
    const dayAgo = new Date(now.getTime() - UNLINKED_UPLOAD_MS);
    for (;;) {
      const ids = await expireUnlinkedAttachmentBatch(sql, dayAgo.toISOString(), holds, RETENTION_BATCH);
      await removeFiles(ids);
      if (ids.length < RETENTION_BATCH) break;
    }
    const stale = await files.olderThan(dayAgo);
    for (let i = 0; i < stale.ids.length; i += FILE_CHECK_PAGE) {
      const page = stale.ids.slice(i, i + FILE_CHECK_PAGE);
      const kept = await existingAttachmentIds(sql, page);
      for (const id of page) {
        if (kept.has(id)) continue;
        await files.remove(id);
        out.attachmentFiles++;
      }
    }
    for (const part of stale.parts) await files.removePart(part);
    return out;
  },
};

const itemsSource: PrivacySource = {
  name: 'items',
  async export({ sql, dir, personId, readKeys }) {
    const ids = await itemIdsOf(sql, personId, readKeys);
    const items = await Promise.all(ids.map((id) => getItem(sql, id)));
    return items.flatMap((i) => (i ? [{ ...itemView(dir, i), authored: i.authorId === personId }] : []));
  },
  expire: expireByDistrict('items', expireItems),
};

const conferencesSource: PrivacySource = {
  name: 'conferences',
  async export({ sql, dir, personId, readKeys, show }) {
    const ids = await conferenceIdsOf(sql, personId, readKeys);
    const conferences = await Promise.all(ids.map((id) => getConference(sql, id)));
    return conferences.flatMap((c) => (c ? [conferenceView(dir, show, c)] : []));
  },
  expire: expireByDistrict('conferences', expireConferences),
};

// Web Push devices (migration 017). The export names each device by its endpoint and label
// with its dates; the keys are left out: they are the browser's secrets for decrypting, and
// the browser has them. A device goes when its person is no longer in the directory, or when
// it was not renewed (push.subscribe, on every page load while push is on) within the period
// of a district the person belongs to; a held person's devices stay.
const pushDevicesSource: PrivacySource = {
  name: 'pushDevices',
  async export({ sql, personId }) {
    const devices = (await pushSubscriptionsOf(sql, [personId])).get(personId) ?? [];
    return devices.map((d) => ({ deviceId: d.id, endpoint: d.endpoint, label: d.label, createdAt: d.createdAt, renewedAt: d.renewedAt }));
  },
  async expire({ sql, dir, cutoffs, holds }) {
    const held = new Set(holds.persons);
    let n = 0;
    for (let after = '';;) {
      const page = await pushSubscriptionPage(sql, after);
      const due = page.filter((d) => {
        if (held.has(d.personId)) return false;
        if (!dir.person(d.personId)) return true;
        const own = [...districtsOfPerson(dir, d.personId)].flatMap((id) => cutoffs.get(id) ?? []);
        return own.some((cutoff) => d.renewedAt < cutoff);
      });
      n += await deletePushSubscriptions(sql, due.map((d) => d.id));
      if (page.length < RETENTION_BATCH) return { pushSubscriptions: n };
      after = page[page.length - 1]!.id;
    }
  },
};

const AUDIT_PAGE = 1_000;

const auditSource: PrivacySource = {
  name: 'audit',
  // Who read this person's data (staff, named as staff are shown to everyone). Never expired.
  async export({ sql, dir, personId }) {
    const out = [];
    for (let before: number | undefined; ;) {
      const page = await auditEntries(sql, { subjectId: personId, limit: AUDIT_PAGE, before });
      out.push(...page.map((e) => ({ at: e.at, actorId: e.actorId, actorName: dir.person(e.actorId)?.name ?? null, operation: e.operation, recordIds: e.recordIds })));
      if (page.length < AUDIT_PAGE) return out;
      before = page[page.length - 1]!.id;
    }
  },
};

// Notification preferences (migration 011): the person's own settings, exported as they are
// (the defaults when they never changed any). Not expired: they are kept while the person is.
/**
 * Notifications (docs/NOTIFICATIONS.md): the person's preferences and every outbox row about
 * them (what they were told of, or were not and why), each thing shown as they may see it: a
 * sender or author they may not see (hub/people.ts) is left out. The outbox's finished rows go
 * with the most recent cutoff of any district (a record of sending is kept no longer than the
 * shortest period), except those of persons under legal hold; preferences go when their person
 * has left the directory (and is not held).
 */
const notificationsSource: PrivacySource = {
  name: 'notifications',
  async export({ sql, personId, show }) {
    const [prefs, rows] = await Promise.all([preferencesOf(sql, [personId]), outboxOf(sql, personId)]);
    return {
      preferences: prefs.get(personId) ?? null,
      outbox: rows.map(({ source, ...r }) => {
        const s = source as NoticeSource;
        const from = s.namedId !== null && show(s.namedId) ? s.namedId : null;
        return { ...r, about: { kind: s.kind, target: s.target, at: s.at, urgent: s.urgent, title: s.title, text: s.text, from } };
      }),
    };
  },
  async expire({ sql, dir, districts, holds }) {
    const out = { notification_outbox: 0, notification_jobs: 0, notification_preferences: 0 };
    if (districts.length > 0) {
      const latest = districts.map((d) => d.cutoff).reduce((a, b) => (a > b ? a : b));
      const n = await expireOutbox(sql, latest, holds, RETENTION_BATCH);
      out.notification_outbox = n.rows;
      out.notification_jobs = n.jobs;
    }
    // An empty directory (nothing imported yet) is no sign that everyone left.
    if (dir.persons.size > 0) out.notification_preferences = await forgetPreferencesOfOthers(sql, [...dir.persons.keys(), ...holds.persons]);
    return out;
  },
};

/**
 * Every place personal data is stored. The export gathers them in this order; the retention
 * job expires them in this order (so a table whose rows reference another's comes first).
 */
export const privacySources: readonly PrivacySource[] = [
  directorySource,
  conversationsSource,
  postAnswersSource,
  feedSource,
  reactionsSource,
  scheduledSource,
  feedbackSource,
  assessmentsSource,
  formsSource,
  documentationSource,
  itemsSource,
  conferencesSource,
  pushDevicesSource,
  auditSource,
  notificationsSource,
];

/** Kinds of legal hold (POST /api/v1/legal-hold). `item` is any stored record by its id. */
export const LEGAL_HOLD_KINDS = ['person', 'conversation', 'item'] as const;
export type LegalHoldKind = (typeof LEGAL_HOLD_KINDS)[number];
