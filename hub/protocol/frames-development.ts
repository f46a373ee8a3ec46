// The requests of the development records (docs/DOMAIN.md §4, §6–§8) and the student card,
// validated once at the edge like every frame (frames.ts spreads these into requestSchemas).
// Its field shapes come from frames-fields.ts, as frames.ts's do.
import { z } from 'zod';
import { DEVELOPMENT_LIMITS as L } from './limits.ts';
import { clientKey, cursor, id, pageLimit, req, text , attachmentIds as attachmentIdsOf, unique } from './frames-fields.ts';

const limit = pageLimit(L.pageSize);
const page = { limit, before: cursor.optional() };

export const DEVELOPMENT_KINDS = ['feedback', 'assessment', 'form', 'documentation'] as const;
export type DevelopmentKind = (typeof DEVELOPMENT_KINDS)[number];
const kinds = z.array(z.enum(DEVELOPMENT_KINDS)).min(1).max(4).refine(unique, 'kinds must be unique').optional();

const goals = z.array(text(L.goal)).max(L.goals);
const attachmentIds = attachmentIdsOf(L.attachments);

export const developmentSchemas = {
  // §6 feedback
  'feedback.create': req('feedback.create', { itemId: id, studentId: id, body: text(L.feedbackBody), publish: z.boolean().optional(), clientKey }),
  'feedback.update': req('feedback.update', { feedbackId: id, body: text(L.feedbackBody) }),
  'feedback.publish': req('feedback.publish', { feedbackId: id }),
  'feedback.get': req('feedback.get', { feedbackId: id }),
  'item.feedback.get': req('item.feedback.get', { itemId: id, studentId: id.optional(), ...page }),
  // §7 assessments
  'assessment.create': req('assessment.create', {
    groupId: id, studentId: id, level: text(L.level).optional(), text: text(L.assessmentText).optional(), publish: z.boolean().optional(), clientKey,
  }).refine((v) => v.level !== undefined || v.text !== undefined, { message: 'an assessment has a level, a text, or both', path: ['level'] }),
  'assessment.update': req('assessment.update', {
    assessmentId: id, level: text(L.level).nullable().optional(), text: text(L.assessmentText).nullable().optional(),
  }),
  'assessment.publish': req('assessment.publish', { assessmentId: id }),
  'assessment.get': req('assessment.get', { assessmentId: id }),
  'group.assessments.get': req('group.assessments.get', { groupId: id, studentId: id.optional(), ...page }),
  // §8 forms
  'form.templates.get': req('form.templates.get', {}),
  'form.add': req('form.add', { conferenceId: id, templateId: id, clientKey }),
  'form.fill': req('form.fill', {
    formId: id,
    answers: z.array(z.object({ fieldId: id, value: z.string().trim().max(L.formAnswer) })).min(1).max(L.formAnswers)
      .refine((a) => unique(a.map((x) => x.fieldId)), 'each field once'),
  }),
  'form.get': req('form.get', { formId: id }),
  'conference.forms.get': req('conference.forms.get', { conferenceId: id }),
  // §4 preschool documentation
  'documentation.create': req('documentation.create', {
    groupId: id,
    childIds: z.array(id).min(1).max(L.childIds).refine(unique, 'each child once').optional(),
    title: text(L.title),
    body: text(L.documentationBody),
    goals: goals.optional(),
    attachmentIds: attachmentIds.optional(),
    clientKey,
  }),
  'documentation.update': req('documentation.update', {
    documentationId: id, title: text(L.title).optional(), body: text(L.documentationBody).optional(), goals: goals.optional(),
    // The attachments after the update (ids left out are deleted); absent: unchanged.
    attachmentIds: attachmentIds.optional(),
  }),
  'documentation.get': req('documentation.get', { documentationId: id }),
  'group.documentation.get': req('group.documentation.get', { groupId: id, childId: id.optional(), ...page }),
  // The reader's dashboard: without schoolId the first school they are the reader of.
  'documentation.dashboard': req('documentation.dashboard', { schoolId: id.optional(), groupId: id.optional(), ...page }),
  // Student card, development overview, group overview
  'student.card.get': req('student.card.get', { studentId: id, kinds, ...page }),
  'development.get': req('development.get', { studentId: id.optional(), kinds, ...page }),
  'group.overview.get': req('group.overview.get', {
    groupId: id, kinds: z.array(z.enum(['feedback', 'assessment'])).min(1).max(2).refine(unique, 'kinds must be unique').optional(), ...page,
  }),
  'students.search': req('students.search', {
    query: z.string().trim().min(1).max(L.searchQuery), limit: z.number().int().min(1).max(L.searchResults).optional(),
  }),
} as const;
