// The words of <schoolhub-post-stats> (read statistics on the author's posts and mailings), in
// Swedish (the default) and English; the shared words come from ui/i18n.ts.
import type { ReadPart } from '../client/protocol.ts';
import type { Locale } from './i18n.ts';

const sv = {
  heading: 'Läsning',
  /** "Läst av 18 av 24 vårdnadshavare". */
  readBy: (read: number, of: number, part: ReadPart) => `Läst av ${read} av ${of} ${sv.parts[part]}`,
  parts: { students: 'elever', guardians: 'vårdnadshavare', staff: 'personal' } satisfies Record<ReadPart, string>,
  showUnread: (part: ReadPart) => `Visa ${sv.parts[part]} som inte läst`,
  hideUnread: 'Dölj listan',
  unreadList: (part: ReadPart) => `${sv.parts[part][0]!.toUpperCase()}${sv.parts[part].slice(1)} som inte läst`,
  allRead: 'Alla har läst.',
  remind: 'Påminn',
  remindLabel: (title: string) => `Påminn dem som inte läst ”${title}”`,
  reminded: (n: number) => (n === 1 ? 'En påminnelse skickades.' : `${n} påminnelser skickades.`),
  remindedAt: (when: string, next: string) => `Påmint ${when}. Nästa påminnelse kan skickas ${next}.`,
  reminder: (title: string, author: string) => `Påminnelse från ${author}: ”${title}” är inte läst.`,
  reminderTag: 'Påminnelse',
};
export type StatsStrings = typeof sv;

const en: StatsStrings = {
  heading: 'Reading',
  readBy: (read, of, part) => `Read by ${read} of ${of} ${en.parts[part]}`,
  parts: { students: 'students', guardians: 'guardians', staff: 'staff' },
  showUnread: (part) => `Show ${en.parts[part]} who have not read it`,
  hideUnread: 'Hide the list',
  unreadList: (part) => `${en.parts[part][0]!.toUpperCase()}${en.parts[part].slice(1)} who have not read it`,
  allRead: 'Everyone has read it.',
  remind: 'Remind',
  remindLabel: (title) => `Remind those who have not read “${title}”`,
  reminded: (n) => (n === 1 ? 'One reminder was sent.' : `${n} reminders were sent.`),
  remindedAt: (when, next) => `Reminded ${when}. The next reminder can be sent ${next}.`,
  reminder: (title, author) => `Reminder from ${author}: “${title}” is not read.`,
  reminderTag: 'Reminder',
};

export function statsStrings(locale: Locale): StatsStrings {
  return locale === 'en' ? en : sv;
}
