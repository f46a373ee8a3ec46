// The words of a notice (docs/NOTIFICATIONS.md), in the person's language and cut to what their
// school lets a lock screen show: `full` (who and what), `sender` (who, not what), `none`
// ("New message in schoolhub"). A name appears only when the reader may see that person
// (hub/people.ts mayShow): a protected identity is never named to another family. Pure.
import type { Directory } from '../directory/model.ts';
import type { Language, LockScreen, NoticeKind } from './channel.ts';
import type { NoticeSource } from './source.ts';
import { mayShow } from '../people.ts';

const WHAT: Record<Language, Record<NoticeKind, string>> = {
  sv: { message: 'Nytt meddelande', post: 'Nytt inlägg', mailing: 'Nytt utskick', item: 'Ny planering eller uppgift', development: 'Nytt i utvecklingsöversikten' },
  en: { message: 'New message', post: 'New post', mailing: 'New mailing', item: 'New plan or assignment', development: 'New in the development overview' },
};
const IN_SCHOOLHUB: Record<Language, string> = { sv: 'i schoolhub', en: 'in schoolhub' };
const URGENT: Record<Language, string> = { sv: 'Brådskande', en: 'Urgent' };
const FROM: Record<Language, string> = { sv: 'från', en: 'from' };
export const APP_NAME = 'schoolhub';
/** Characters of the words themselves on a `full` lock screen. */
export const TEXT_CUT = 140;

const LEVELS: readonly LockScreen[] = ['none', 'sender', 'full'];

/** The lock-screen level for a person: the most careful of their schools' (staff, student, a child's) and the thing's own school's; `sender` when none says. */
export function lockScreenFor(dir: Directory, personId: string, schoolId: string | null): LockScreen {
  const schools = new Set<string>([...dir.staffSchoolsOf(personId), ...dir.schoolsOfStudent(personId)]);
  for (const c of dir.childrenOf(personId)) for (const s of dir.schoolsOfStudent(c)) schools.add(s);
  if (schoolId) schools.add(schoolId);
  let level: LockScreen | undefined;
  for (const s of schools) {
    const l = dir.schools.get(s)?.lockScreen ?? 'sender';
    if (level === undefined || LEVELS.indexOf(l) < LEVELS.indexOf(level)) level = l;
  }
  return level ?? 'sender';
}

function cut(text: string): string {
  const chars = [...text.replace(/\s+/g, ' ').trim()];
  return chars.length <= TEXT_CUT ? chars.join('') : `${chars.slice(0, TEXT_CUT - 1).join('')}…`;
}

/** Title and body of a notice of `src` for `personId`. */
export function noticeWords(dir: Directory, personId: string, src: NoticeSource, language: Language, level: LockScreen): { title: string; body: string } {
  const what = WHAT[language][src.kind];
  const named = src.namedId && mayShow(dir, personId, src.namedId) ? dir.person(src.namedId)?.name ?? null : null;
  const urgent = (t: string) => (src.urgent ? `${URGENT[language]}: ${t}` : t);
  if (level === 'none' || src.kind === 'development') return { title: urgent(APP_NAME), body: `${what} ${IN_SCHOOLHUB[language]}` };
  if (level === 'sender') return { title: urgent(named ?? APP_NAME), body: named ? what : `${what} ${IN_SCHOOLHUB[language]}` };
  if (src.kind === 'message') return { title: urgent(named ?? what), body: src.text ? cut(src.text) : what };
  const title = src.title ? cut(src.title) : what;
  const body = src.text ? cut(src.text) : what;
  return { title: urgent(title), body: named ? `${what} ${FROM[language]} ${named}: ${body}` : body };
}
