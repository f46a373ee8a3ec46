// The words of <schoolhub-development> (with its staff views) and <schoolhub-documentation>, in
// Swedish (the default) and English; the shared words (loading, status, "show more", …) come
// from ui/i18n.ts.
import type { DevelopmentKind, FormSide } from '../client/development-protocol.ts';
import type { Locale } from './i18n.ts';

const sv = {
  development: 'Utveckling',
  developmentOf: (name: string) => `Utveckling: ${name}`,
  child: 'Barn',
  severalChildren: 'Du har flera barn. Portalen behöver ange vilket barn som ska visas.',
  nothing: 'Inget att visa ännu.',
  notFound: 'Det finns ingen utvecklingsöversikt att visa här.',
  kind: { feedback: 'Återkoppling', assessment: 'Bedömning', form: 'Samtalsformulär', documentation: 'Dokumentation' } satisfies Record<DevelopmentKind, string>,
  level: 'Nivå',
  side: { student: 'Elevens del', guardian: 'Vårdnadshavarnas del', mentor: 'Mentorns del' } satisfies Record<FormSide, string>,
  noAnswer: 'Inte besvarad',
  answeredBy: (name: string) => `Svar av ${name}`,
  conference: (mentor: string) => `Utvecklingssamtal med ${mentor}`,
  goals: 'Läroplansmål',
  about: 'Om',
  wholeGroup: 'hela gruppen',
  image: (i: number, n: number, title: string) => (n === 1 ? `Bild till ”${title}”` : `Bild ${i} av ${n} till ”${title}”`),
  imageLoading: 'Hämtar bilden…',
  imageFailed: 'Bilden kunde inte visas',
  openFile: (name: string) => `Öppna ${name}`,
  arrived: (what: string) => `Nytt: ${what}`,
  arrivedMany: (n: number) => `${n} nya poster i utvecklingsöversikten`,
  documentation: 'Dokumentation',
  documentationOf: (name: string) => `Dokumentation: ${name}`,
  childGroup: 'Barngrupp',
  noDocumentation: 'Ingen dokumentation ännu.',
  noDocumentationHere: 'Det finns ingen dokumentation att visa här.',
  newDocumentation: 'Ny dokumentation',
  goalsInput: 'Läroplansmål (ett per rad, valfritt)',
  whichChildren: 'Vilka barn',
  noneIsAll: 'Väljer du inget barn gäller det hela gruppen.',
  files: 'Bilder och filer (valfritt)',
  filesHint: 'PNG, JPEG, GIF, WebP eller PDF, högst 10 MB per fil.',
  uploading: (i: number, n: number) => `Laddar upp fil ${i} av ${n}…`,
  saved: 'Dokumentationen är publicerad.',
  badFile: (name: string) => `${name}: bara bilder (PNG, JPEG, GIF, WebP) och PDF, högst 10 MB.`,
  dashboardOf: (school: string) => `Dokumentationsöversikt: ${school}`,
  school: 'Skola',
  allGroups: 'Alla barngrupper',
  goalsWorkedOn: 'Läroplansmål som arbetats med',
  inDocumentations: (n: number) => (n === 1 ? 'I 1 dokumentation' : `I ${n} dokumentationer`),
  goal: 'Mål',
  goalCount: 'Dokumentationer',
  noGoals: 'Inga läroplansmål ännu.',
  // Staff: the student card, the student search and the group overview.
  studentCard: 'Elevkort',
  cardOf: (name: string) => `Elevkort: ${name}`,
  searchStudent: 'Sök elev',
  searchHint: 'Sök på namn för att öppna en elevs elevkort.',
  students: 'Elever',
  found: (n: number) => (n === 0 ? 'Inga elever hittades.' : n === 1 ? '1 elev hittades' : `${n} elever hittades`),
  searchFailed: 'Sökningen misslyckades: ',
  closeCard: 'Stäng elevkortet',
  inGroups: 'Grupper',
  noCard: 'Det finns inget elevkort att visa här.',
  cardForbidden: 'Du har inte tillgång till den här elevens elevkort.',
  groupOverview: 'Gruppöversikt',
  overviewOf: (name: string) => `Gruppöversikt: ${name}`,
  group: 'Grupp',
  noOverview: 'Det finns ingen gruppöversikt att visa här.',
  overviewForbidden: 'Du har inte tillgång till den här gruppens översikt.',
  aboutStudent: (name: string, title: string) => `${name} – ${title}`,
  draft: 'Utkast',
  inProgress: 'Pågående samtal',
  newEntries: (n: number) => `${n} nya poster`,
};

export type DevStrings = typeof sv;

const en: DevStrings = {
  development: 'Development',
  developmentOf: (name) => `Development: ${name}`,
  child: 'Child',
  severalChildren: 'You have several children. The portal has to say which child to show.',
  nothing: 'Nothing to show yet.',
  notFound: 'There is no development overview to show here.',
  kind: { feedback: 'Feedback', assessment: 'Assessment', form: 'Conference form', documentation: 'Documentation' },
  level: 'Level',
  side: { student: 'The student’s part', guardian: 'The guardians’ part', mentor: 'The mentor’s part' },
  noAnswer: 'Not answered',
  answeredBy: (name) => `Answered by ${name}`,
  conference: (mentor) => `Development conference with ${mentor}`,
  goals: 'Curriculum goals',
  about: 'About',
  wholeGroup: 'the whole group',
  image: (i, n, title) => (n === 1 ? `Image for “${title}”` : `Image ${i} of ${n} for “${title}”`),
  imageLoading: 'Loading the image…',
  imageFailed: 'The image could not be shown',
  openFile: (name) => `Open ${name}`,
  arrived: (what) => `New: ${what}`,
  arrivedMany: (n) => `${n} new entries in the development overview`,
  documentation: 'Documentation',
  documentationOf: (name) => `Documentation: ${name}`,
  childGroup: 'Child group',
  noDocumentation: 'No documentation yet.',
  noDocumentationHere: 'There is no documentation to show here.',
  newDocumentation: 'New documentation',
  goalsInput: 'Curriculum goals (one per line, optional)',
  whichChildren: 'Which children',
  noneIsAll: 'If you choose no child, it is about the whole group.',
  files: 'Images and files (optional)',
  filesHint: 'PNG, JPEG, GIF, WebP or PDF, at most 10 MB each.',
  uploading: (i, n) => `Uploading file ${i} of ${n}…`,
  saved: 'The documentation is published.',
  badFile: (name) => `${name}: only images (PNG, JPEG, GIF, WebP) and PDF, at most 10 MB.`,
  dashboardOf: (school) => `Documentation overview: ${school}`,
  school: 'School',
  allGroups: 'All child groups',
  goalsWorkedOn: 'Curriculum goals worked on',
  inDocumentations: (n) => (n === 1 ? 'In 1 documentation entry' : `In ${n} documentation entries`),
  goal: 'Goal',
  goalCount: 'Entries',
  noGoals: 'No curriculum goals yet.',
  studentCard: 'Student card',
  cardOf: (name) => `Student card: ${name}`,
  searchStudent: 'Search for a student',
  searchHint: 'Search by name to open a student’s card.',
  students: 'Students',
  found: (n) => (n === 0 ? 'No students found.' : n === 1 ? '1 student found' : `${n} students found`),
  searchFailed: 'The search failed: ',
  closeCard: 'Close the student card',
  inGroups: 'Groups',
  noCard: 'There is no student card to show here.',
  cardForbidden: 'You do not have access to this student’s card.',
  groupOverview: 'Group overview',
  overviewOf: (name) => `Group overview: ${name}`,
  group: 'Group',
  noOverview: 'There is no group overview to show here.',
  overviewForbidden: 'You do not have access to this group’s overview.',
  aboutStudent: (name, title) => `${name} – ${title}`,
  draft: 'Draft',
  inProgress: 'Conference in progress',
  newEntries: (n) => `${n} new entries`,
};

export function devStrings(locale: Locale): DevStrings {
  return locale === 'en' ? en : sv;
}

const dates = new Map<string, Intl.DateTimeFormat>();

/** A date as "12 maj 2025" / "12 May 2025". */
export function longDate(iso: string, locale: string): string {
  let f = dates.get(locale);
  if (!f) dates.set(locale, (f = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'long', year: 'numeric' })));
  return f.format(new Date(iso));
}

/** A file size as "12 kB" / "1,4 MB". */
export function fileSize(bytes: number, locale: string): string {
  const f = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  return bytes < 1024 * 1024 ? `${f.format(Math.max(1, Math.round(bytes / 1024)))} kB` : `${f.format(bytes / (1024 * 1024))} MB`;
}
