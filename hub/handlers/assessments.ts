// Assessments (docs/DOMAIN.md §7): assessment.create, assessment.update, assessment.publish,
// assessment.get, group.assessments.get. A teacher of a teaching group assesses its students
// in the group's subject, by one of the school's levels and/or free text; draft → published,
// like feedback.
import { can, canReadAssessment } from '../rules/index.ts';
import { readKeysOf } from '../audience.ts';
import { assessmentKeys } from '../audience-development.ts';
import { RequestError } from '../protocol/codes.ts';
import {
  assessmentsPage, findAssessmentByKey, getAssessment, insertAssessment, lockAssessment, updateAssessment, type AssessmentRow, type DevelopmentState,
} from '../../storage/development.ts';
import { newId, type Handler, type HandlerContext } from './context.ts';
import { assertAllowed, assertKnown } from './rights.ts';
import { createOnce } from './create-once.ts';
import { readPage } from './paging.ts';
import { assessmentView } from '../views/development.ts';
import { audit } from '../audit.ts';

const noSuchAssessment = () => new RequestError('not_found', 'no such assessment', ['assessmentId']);

export const createAssessment: Handler<'assessment.create'> = async (ctx, req) => {
  const { dir, personId } = ctx;
  const level = req.level ?? null;
  return createOnce({
    find: () => findAssessmentByKey(ctx.sql, personId, req.clientKey),
    same: (stored) => stored.groupId === req.groupId && stored.studentId === req.studentId && stored.level === level && stored.text === (req.text ?? null),
    what: 'a different assessment',
    answer: (stored) => ({ assessment: assessmentView(dir, stored) }),
    create: async () => {
      assertKnown(dir, personId, [{ kind: 'group', id: req.groupId, path: ['groupId'] }]);
      assertAllowed(can(dir, personId, { type: 'assessment.create', assessment: { groupId: req.groupId, studentId: req.studentId, level } }));
      const group = dir.groups.get(req.groupId)!;
      const state: DevelopmentState = req.publish === true ? 'published' : 'draft';
      const keys = assessmentKeys({ groupId: group.id, schoolId: group.schoolId, studentId: req.studentId, state });
      const row = await ctx.publisher.write(async (tx) => {
        const stored = await insertAssessment(tx, {
          id: newId('asm'), schoolId: group.schoolId, groupId: group.id, studentId: req.studentId, authorId: personId,
          subject: group.name, level, text: req.text ?? null, state, keys, clientKey: req.clientKey,
        });
        const name = state === 'published' ? 'assessment.published' : 'assessment.created';
        return { result: stored, events: [{ name, keys, data: { assessment: assessmentView(dir, stored) } }] };
      });
      return { assessment: assessmentView(dir, row) };
    },
  });
};

type Next = { level: string | null; text: string | null; state: DevelopmentState };

async function change(ctx: HandlerContext, assessmentId: string, kind: 'update' | 'publish', next: (a: AssessmentRow) => Next): Promise<AssessmentRow> {
  const { dir, personId } = ctx;
  return ctx.publisher.write(async (tx) => {
    const a = await lockAssessment(tx, assessmentId);
    if (!a) throw noSuchAssessment();
    const to = next(a);
    assertAllowed(can(dir, personId, { type: 'assessment.change', assessment: a, change: kind, level: to.level === a.level ? undefined : to.level }));
    if (to.level === null && to.text === null) throw new RequestError('invalid', 'an assessment keeps a level, a text, or both', ['level']);
    if (to.level === a.level && to.text === a.text && to.state === a.state) return { result: a, events: [] };
    const keys = assessmentKeys({ ...a, state: to.state });
    const changed = await updateAssessment(tx, a.id, { ...to, keys });
    const name = to.state !== a.state ? 'assessment.published' : 'assessment.updated';
    return { result: changed, events: [{ name, keys, data: { assessment: assessmentView(dir, changed) } }] };
  });
}

export const updateOneAssessment: Handler<'assessment.update'> = async (ctx, req) => {
  const row = await change(ctx, req.assessmentId, 'update', (a) => ({
    level: req.level === undefined ? a.level : req.level,
    text: req.text === undefined ? a.text : req.text,
    state: a.state,
  }));
  return { assessment: assessmentView(ctx.dir, row) };
};

export const publishOneAssessment: Handler<'assessment.publish'> = async (ctx, req) => {
  const row = await change(ctx, req.assessmentId, 'publish', (a) => ({ level: a.level, text: a.text, state: 'published' }));
  return { assessment: assessmentView(ctx.dir, row) };
};

export const getOneAssessment: Handler<'assessment.get'> = async (ctx, req) => {
  const a = await getAssessment(ctx.sql, req.assessmentId);
  if (!a || !canReadAssessment(ctx.dir, ctx.personId, a)) throw noSuchAssessment();
  audit(ctx, 'assessment.get', () => [{ about: [a.studentId], ids: [a.id] }]);
  return { assessment: assessmentView(ctx.dir, a) };
};

/**
 * A group's assessments that the caller sees (its teachers: all, drafts too), with the
 * school's levels so that a client can offer them.
 */
export const getGroupAssessments: Handler<'group.assessments.get'> = async (ctx, req) => {
  const { dir, personId } = ctx;
  assertKnown(dir, personId, [{ kind: 'group', id: req.groupId, path: ['groupId'] }]);
  const group = dir.groups.get(req.groupId)!;
  const filter = { groupId: req.groupId, studentIds: req.studentId === undefined ? undefined : [req.studentId] };
  const { shown, next } = await readPage(
    req, (limit, before) => assessmentsPage(ctx.sql, readKeysOf(dir, personId), filter, limit, before), (a) => canReadAssessment(dir, personId, a));
  audit(ctx, 'group.assessments.get', () => shown.map((a) => ({ about: [a.studentId], ids: [a.id] })));
  return {
    levels: dir.schools.get(group.schoolId)?.assessmentLevels ?? [],
    assessments: shown.map((a) => assessmentView(dir, a)),
    next,
  };
};
