// The handlers of the development records (docs/DOMAIN.md §4, §6–§8) and the student card, as one
// table that hub/session.ts spreads into its HANDLERS.
import type { Handler } from './context.ts';
import type { RequestType } from '../protocol/frames.ts';
import type { developmentSchemas } from '../protocol/frames-development.ts';
import { createFeedback, getItemFeedback, getOneFeedback, publishOneFeedback, updateOneFeedback } from './feedback.ts';
import { createAssessment, getGroupAssessments, getOneAssessment, publishOneAssessment, updateOneAssessment } from './assessments.ts';
import { addForm, fillOneForm, getConferenceForms, getFormTemplates, getOneForm } from './forms.ts';
import { createDocumentation, getGroupDocumentation, getOneDocumentation, updateOneDocumentation } from './documentation.ts';
import { getDevelopment, getGroupOverview, getStudentCard, searchStudents } from './cards.ts';
import { getDocumentationDashboard } from './documentation-dashboard.ts';

type DevelopmentRequestType = keyof typeof developmentSchemas & RequestType;

export const DEVELOPMENT_HANDLERS: { [T in DevelopmentRequestType]: Handler<T> } = {
  'feedback.create': createFeedback,
  'feedback.update': updateOneFeedback,
  'feedback.publish': publishOneFeedback,
  'feedback.get': getOneFeedback,
  'item.feedback.get': getItemFeedback,
  'assessment.create': createAssessment,
  'assessment.update': updateOneAssessment,
  'assessment.publish': publishOneAssessment,
  'assessment.get': getOneAssessment,
  'group.assessments.get': getGroupAssessments,
  'form.templates.get': getFormTemplates,
  'form.add': addForm,
  'form.fill': fillOneForm,
  'form.get': getOneForm,
  'conference.forms.get': getConferenceForms,
  'documentation.create': createDocumentation,
  'documentation.update': updateOneDocumentation,
  'documentation.get': getOneDocumentation,
  'group.documentation.get': getGroupDocumentation,
  'documentation.dashboard': getDocumentationDashboard,
  'student.card.get': getStudentCard,
  'development.get': getDevelopment,
  'group.overview.get': getGroupOverview,
  'students.search': searchStudents,
};
