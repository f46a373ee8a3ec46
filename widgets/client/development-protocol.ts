// The development records as the widgets see them (docs/PROTOCOL.md, "Development records"
// and §9 "Attachments"): feedback, assessments, conference forms, preschool documentation,
// the development overview, the staff's student card, group overview and student search, and
// the requests and events that carry them. Kept apart from protocol.ts, whose `Requests` and
// `HubEvents` extend these, so that `client.request` and `client.on` know them by name.
import type { PersonRef } from './protocol.ts';

export type RecordState = 'draft' | 'published';

/** Feedback on a plan or assignment, to one student (§6). */
export interface Feedback {
  id: string;
  itemId: string;
  itemKind: 'plan' | 'assignment';
  /** The item's title now. */
  itemTitle: string | null;
  groupId: string;
  groupName: string | null;
  schoolId: string;
  studentId: string;
  studentName: string;
  authorId: string;
  authorName: string;
  body: string;
  state: RecordState;
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
}

/** An assessment of one student in a teaching group's subject: a level of the school's scale and/or text (§7). */
export interface Assessment {
  id: string;
  groupId: string;
  groupName: string | null;
  schoolId: string;
  subject: string;
  studentId: string;
  studentName: string;
  authorId: string;
  authorName: string;
  level: string | null;
  text: string | null;
  state: RecordState;
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
}

export type FormSide = 'student' | 'guardian' | 'mentor';

export interface FormField {
  id: string;
  side: FormSide;
  label: string;
  /** `by` is null where the writer has a protected identity the viewer may not see. */
  answer: { value: string; by: PersonRef | null; at: string } | null;
}

/** A conference form (§8) as the viewer sees it: only the fields of `sides`. */
export interface ConferenceForm {
  id: string;
  conferenceId: string;
  templateId: string;
  title: string;
  studentId: string;
  studentName: string;
  mentorId: string;
  mentorName: string;
  /** The conference's state: the forms are released (every side) once it is `closed`. */
  state: 'open' | 'closed';
  sides: FormSide[];
  fields: FormField[];
  createdAt: string;
  updatedAt: string;
}

/** An uploaded file of a documentation; `url` is relative to the hub and needs the user's token. */
/** A file of a documentation, a message or a post (PROTOCOL.md §9); an image has its size and a thumbnail. */
export interface Attachment {
  id: string;
  contentType: string;
  size: number;
  filename: string;
  url: string;
  width?: number;
  height?: number;
  thumbnailUrl?: string;
}

/** Preschool documentation (§4); `children` are those the viewer may see named (a guardian: their own child). */
export interface Documentation {
  id: string;
  groupId: string;
  groupName: string | null;
  schoolId: string;
  authorId: string;
  authorName: string;
  title: string;
  body: string;
  /** The curriculum goals worked on. */
  goals: string[];
  wholeGroup: boolean;
  children: PersonRef[];
  attachments: Attachment[];
  createdAt: string;
  updatedAt: string;
}

/** A school or child group by name. */
export interface NamedRef {
  id: string;
  name: string;
}

/** How many documentations of the dashboard's filter name a curriculum goal. */
export interface GoalCount {
  goal: string;
  count: number;
}

/** The reader's documentation dashboard (§4): one page, and the goal summary over the whole filter. */
export interface DocumentationDashboard {
  school: NamedRef;
  /** The schools whose dashboard the caller may open (where they are the reader), by name. */
  schools: NamedRef[];
  /** The school's child groups, by name (the filter). */
  groups: NamedRef[];
  /** How many documentations the filter holds. */
  total: number;
  /** The goals worked on, most first. */
  goals: GoalCount[];
  documentation: Documentation[];
  next: string | null;
}

export type DevelopmentKind = 'feedback' | 'assessment' | 'form' | 'documentation';

/** A group as the student card and the group overview name it. */
export interface GroupInfo {
  id: string;
  name: string;
  kind: 'teaching' | 'mentor' | 'preschool';
  schoolId: string;
}

/** A student whose card the caller may open (students.search), or the card's student, with their groups. */
export interface StudentRef extends PersonRef {
  groups: GroupInfo[];
}

/** One record of a development overview, under the name of its kind; `at` its creation time. */
export type DevelopmentEntry =
  | { kind: 'feedback'; at: string; feedback: Feedback }
  | { kind: 'assessment'; at: string; assessment: Assessment }
  | { kind: 'form'; at: string; form: ConferenceForm }
  | { kind: 'documentation'; at: string; documentation: Documentation };

/** The record of an entry, whatever its kind. */
export function recordOf(e: DevelopmentEntry): Feedback | Assessment | ConferenceForm | Documentation {
  switch (e.kind) {
    case 'feedback':
      return e.feedback;
    case 'assessment':
      return e.assessment;
    case 'form':
      return e.form;
    case 'documentation':
      return e.documentation;
  }
}

export interface DevelopmentRequests {
  'development.get': [
    { studentId?: string; kinds?: DevelopmentKind[]; limit?: number; before?: string },
    {
      student: PersonRef;
      /** The students whose overview the caller may open (themself, or a guardian's children): the child pickers. */
      students?: PersonRef[];
      entries: DevelopmentEntry[];
      next: string | null;
    },
  ];
  /** Staff: the student card (mentors, the student's teachers, the school's reader and admins). */
  'student.card.get': [
    { studentId: string; kinds?: DevelopmentKind[]; limit?: number; before?: string },
    { student: StudentRef; entries: DevelopmentEntry[]; next: string | null },
  ];
  /** Staff: the feedback and assessments of a group's students (the group's owners, the school admins). */
  'group.overview.get': [
    { groupId: string; kinds?: ('feedback' | 'assessment')[]; limit?: number; before?: string },
    { group: GroupInfo; students: PersonRef[]; entries: DevelopmentEntry[]; next: string | null },
  ];
  /** Students whose card the caller may open, by name; an empty list for everyone else. */
  'students.search': [{ query: string; limit?: number }, { students: StudentRef[] }];
  'group.documentation.get': [{ groupId: string; childId?: string; limit?: number; before?: string }, { documentation: Documentation[]; next: string | null }];
  'documentation.dashboard': [{ schoolId?: string; groupId?: string; limit?: number; before?: string }, DocumentationDashboard];
  'documentation.create': [
    { groupId: string; childIds?: string[]; title: string; body: string; goals?: string[]; attachmentIds?: string[]; clientKey: string },
    { documentation: Documentation },
  ];
  /** Any teacher of the group; `attachmentIds` is the whole list after the update (those left out are deleted). */
  'documentation.update': [
    { documentationId: string; title?: string; body?: string; goals?: string[]; attachmentIds?: string[] },
    { documentation: Documentation },
  ];
}

/** The events about these records that the widgets follow. */
export interface DevelopmentEvents {
  /** A draft: to the group's teachers only. */
  'feedback.created': { feedback: Feedback };
  'feedback.published': { feedback: Feedback };
  'feedback.updated': { feedback: Feedback };
  'assessment.published': { assessment: Assessment };
  'assessment.updated': { assessment: Assessment };
  /** A draft: to the group's teachers only. */
  'assessment.created': { assessment: Assessment };
  /** An open conference's form: every field to its mentor, one side's fields to the student or guardians. */
  'form.added': { form: ConferenceForm };
  'form.filled': { form: ConferenceForm };
  'form.released': { form: ConferenceForm };
  'documentation.created': { documentation: Documentation };
  'documentation.updated': { documentation: Documentation };
}
