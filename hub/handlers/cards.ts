// Read views that gather the development records of one student, or of a group's students:
// student.card.get (staff: the student card / child card), development.get (the student and
// the guardians: the development overview), group.overview.get (§6/§7 group overview) and
// students.search (whose card a staff member may open). Each record kind is filtered by the
// caller's read keys and then by its own rule; the kinds are merged newest first and paged
// with one cursor.
import { can, canReadAssessment, canReadDocumentation, canReadFeedback, cardStudentsOf, formSidesFor } from '../rules/index.ts';
import { readKeysOf } from '../audience.ts';
import { RequestError } from '../protocol/codes.ts';
import { DEVELOPMENT_KINDS, type DevelopmentKind } from '../protocol/frames-development.ts';
import { assessmentsPage, feedbackPage, type PageBefore } from '../../storage/development.ts';
import { formsPage } from '../../storage/forms.ts';
import { attachmentsOf, documentationPage } from '../../storage/documentation.ts';
import type { Handler, HandlerContext } from './context.ts';
import { encodePageCursor, pageBefore } from './paging.ts';
import { assessmentView, childrenShownTo, documentationView, feedbackView, formView, storedForm } from '../views/development.ts';
import { showTo } from '../views/chat.ts';
import { assertAllowed } from './rights.ts';
import { audit, type Touch } from '../audit.ts';

interface Entry {
  kind: DevelopmentKind;
  at: string;
  id: string;
  /** The students the record is about (for the audit log). */
  about: readonly string[];
  view: unknown;
}

interface Listed {
  entries: Entry[];
  /** The query returned a full page: there may be more of this kind. */
  full: boolean;
}

/** One kind's page about `students`, as the caller may see it. */
async function listKind(ctx: HandlerContext, kind: DevelopmentKind, students: readonly string[], limit: number, before?: PageBefore): Promise<Listed> {
  const { dir, personId, sql } = ctx;
  const keys = readKeysOf(dir, personId);
  const entry = (id: string, at: string, about: readonly string[], view: unknown): Entry => ({ kind, at, id, about, view });
  switch (kind) {
    case 'feedback': {
      const rows = await feedbackPage(sql, keys, { studentIds: students }, limit, before);
      return { full: rows.length === limit, entries: rows.filter((f) => canReadFeedback(dir, personId, f)).map((f) => entry(f.id, f.createdAt, [f.studentId], feedbackView(dir, f))) };
    }
    case 'assessment': {
      const rows = await assessmentsPage(sql, keys, { studentIds: students }, limit, before);
      return { full: rows.length === limit, entries: rows.filter((a) => canReadAssessment(dir, personId, a)).map((a) => entry(a.id, a.createdAt, [a.studentId], assessmentView(dir, a))) };
    }
    case 'form': {
      const rows = await formsPage(sql, keys, { studentIds: students }, limit, before);
      const entries: Entry[] = [];
      for (const f of rows) {
        const sides = formSidesFor(dir, personId, storedForm(f));
        if (sides.length > 0) entries.push(entry(f.id, f.createdAt, [f.studentId], formView(dir, f, sides, showTo(dir, personId))));
      }
      return { full: rows.length === limit, entries };
    }
    case 'documentation': {
      const rows = (await documentationPage(sql, keys, { childIds: students }, limit, before)).filter((d) => canReadDocumentation(dir, personId, d));
      const attachments = await attachmentsOf(sql, rows.map((d) => d.id));
      return {
        full: rows.length === limit,
        entries: rows.map((d) => {
          const children = childrenShownTo(dir, personId, d);
          return entry(d.id, d.createdAt, children, documentationView(dir, d, attachments.get(d.id) ?? [], children));
        }),
      };
    }
  }
}

/** a before b in the timeline: newer first, then by id (ids of different kinds differ in their prefix). */
const newerFirst = (a: Entry, b: Entry) => (a.at !== b.at ? (a.at > b.at ? -1 : 1) : a.id > b.id ? -1 : a.id < b.id ? 1 : 0);

/**
 * The newest `limit` records of `kinds` about `students`: a merge of one page per kind that
 * keeps each kind in its storage order, so that the cursor of the last entry continues every
 * kind exactly where this page left it.
 */
async function timeline(ctx: HandlerContext, students: readonly string[], kinds: readonly DevelopmentKind[], limit: number, beforeCursor?: string) {
  const before = pageBefore(beforeCursor);
  if (students.length === 0) return { entries: [] as Entry[], next: null };
  const lists = await Promise.all(kinds.map((k) => listKind(ctx, k, students, limit, before)));
  const heads = lists.map(() => 0);
  const out: Entry[] = [];
  while (out.length < limit) {
    let pick = -1;
    lists.forEach((l, i) => {
      const e = l.entries[heads[i]!];
      if (e && (pick < 0 || newerFirst(e, lists[pick]!.entries[heads[pick]!]!) < 0)) pick = i;
    });
    if (pick < 0) break;
    out.push(lists[pick]!.entries[heads[pick]!]!);
    heads[pick]!++;
  }
  const more = lists.some((l, i) => l.full || heads[i]! < l.entries.length);
  const last = out[out.length - 1];
  return { entries: out, next: more && last ? encodePageCursor(last.at, last.id) : null };
}

/** The wire shape of an entry: its kind, its time, and the record under the kind's name. */
const wire = (e: Entry) => ({ kind: e.kind, at: e.at, [e.kind]: e.view });

const touches = (entries: readonly Entry[]): Touch[] => entries.map((e) => ({ about: e.about, ids: [e.id] }));

function groupsOf(ctx: HandlerContext, studentId: string) {
  return [...ctx.dir.groupsOf(studentId)].sort().map((g) => {
    const group = ctx.dir.groups.get(g)!;
    return { id: group.id, name: group.name, kind: group.kind, schoolId: group.schoolId };
  });
}

export const getStudentCard: Handler<'student.card.get'> = async (ctx, req) => {
  assertAllowed(can(ctx.dir, ctx.personId, { type: 'student.card', studentId: req.studentId }));
  const { entries, next } = await timeline(ctx, [req.studentId], req.kinds ?? DEVELOPMENT_KINDS, req.limit ?? 30, req.before);
  // Opening the card shows the student themself: logged even when it holds nothing yet.
  audit(ctx, 'student.card.get', () => [{ about: [req.studentId], ids: [req.studentId] }, ...touches(entries)]);
  const student = ctx.dir.person(req.studentId)!;
  return { student: { id: student.id, name: student.name, groups: groupsOf(ctx, student.id) }, entries: entries.map(wire), next };
};

/** The caller themself as a student, or their only child; with several children they name one. */
/** Whose overview the caller may open as themself or a guardian: their own, then their children's, by name. */
function developmentStudents(ctx: HandlerContext): { id: string; name: string }[] {
  const { dir, personId } = ctx;
  const own = dir.isStudent(personId) ? [personId] : [];
  const children = [...dir.childrenOf(personId)].sort((a, b) => (dir.person(a)?.name ?? '').localeCompare(dir.person(b)?.name ?? '', 'sv'));
  return [...own, ...children].map((id) => ({ id, name: dir.person(id)?.name ?? 'Unknown' }));
}

export const getDevelopment: Handler<'development.get'> = async (ctx, req) => {
  const students = developmentStudents(ctx);
  // Without studentId: the caller's own, or their first child; `students` offers the others.
  const studentId = req.studentId ?? students[0]?.id;
  if (studentId === undefined) throw new RequestError('invalid', 'name the student', ['studentId']);
  assertAllowed(can(ctx.dir, ctx.personId, { type: 'development.open', studentId }));
  const { entries, next } = await timeline(ctx, [studentId], req.kinds ?? DEVELOPMENT_KINDS, req.limit ?? 30, req.before);
  // Staff who open it (as a guardian) read a protected child's records too: logged like the card.
  audit(ctx, 'development.get', () => [{ about: [studentId], ids: [studentId] }, ...touches(entries)]);
  const student = ctx.dir.person(studentId)!;
  return { student: { id: student.id, name: student.name }, students, entries: entries.map(wire), next };
};

export const getGroupOverview: Handler<'group.overview.get'> = async (ctx, req) => {
  assertAllowed(can(ctx.dir, ctx.personId, { type: 'group.overview', groupId: req.groupId }));
  const group = ctx.dir.groups.get(req.groupId)!;
  const students = [...group.members].sort();
  const { entries, next } = await timeline(ctx, students, req.kinds ?? ['feedback', 'assessment'], req.limit ?? 30, req.before);
  // The overview names every student of the group, with or without records on this page.
  audit(ctx, 'group.overview.get', () => [{ about: students, ids: [group.id] }, ...touches(entries)]);
  return {
    group: { id: group.id, name: group.name, kind: group.kind, schoolId: group.schoolId },
    students: students.map((s) => ({ id: s, name: ctx.dir.person(s)?.name ?? 'Unknown' })),
    entries: entries.map(wire),
    next,
  };
};

const fold = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLocaleLowerCase('sv');

/** Students whose card the caller may open, by name (every word a part of the name), by name order. */
export const searchStudents: Handler<'students.search'> = async (ctx, req) => {
  const { dir, personId } = ctx;
  const words = fold(req.query).split(/\s+/).filter(Boolean);
  const limit = req.limit ?? 20;
  const found = [...cardStudentsOf(dir, personId)]
    .map((id) => dir.person(id))
    .filter((p): p is NonNullable<typeof p> => p !== undefined && words.every((w) => fold(p.name).includes(w)))
    .sort((a, b) => a.name.localeCompare(b.name, 'sv') || (a.id < b.id ? -1 : 1))
    .slice(0, limit);
  audit(ctx, 'students.search', () => [{ about: found.map((p) => p.id), ids: [] }]);
  return { students: found.map((p) => ({ id: p.id, name: p.name, groups: groupsOf(ctx, p.id) })) };
};
