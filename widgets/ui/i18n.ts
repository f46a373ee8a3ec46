// The widgets' words, in Swedish (the default) and English. A widget takes its language from
// its own `lang`, else the nearest ancestor's, else the page's; anything not English is Swedish.
import type { Contact, ContextKind, Recipients } from '../client/protocol.ts';
import type { Status } from '../client/client.ts';

export type Locale = 'sv' | 'en';

const sv = {
  locale: 'sv-SE',
  status: {
    idle: '', online: '', connecting: 'Ansluter…', reconnecting: 'Återansluter…',
    failed: 'Kunde inte ansluta till skolhubben.',
  } satisfies Record<Status, string>,
  loading: 'Laddar…',
  loadFailed: 'Kunde inte hämta: ',
  more: 'Visa fler',
  inbox: 'Meddelanden',
  newConversation: 'Nytt samtal',
  noConversations: 'Inga samtal ännu.',
  unread: (n: number) => (n === 1 ? '1 oläst' : `${n} olästa`),
  unreadMessages: (n: number) => (n === 1 ? '1 oläst meddelande' : `${n} olästa meddelanden`),
  back: 'Alla samtal',
  you: 'Du',
  with: 'Med',
  conversations: 'Samtal',
  newMessageFrom: (name: string, body: string) => `Nytt meddelande från ${name}: ${body}`,
  chooseConversation: 'Välj ett samtal.',
  noSuchConversation: 'Samtalet finns inte, eller så har du inte tillgång till det.',
  messages: 'Meddelanden i samtalet',
  older: 'Visa äldre meddelanden',
  writeMessage: 'Skriv ett meddelande',
  send: 'Skicka',
  sending: 'Skickas…',
  waiting: 'Väntar på anslutning…',
  failedSend: 'Kunde inte skickas',
  retry: 'Försök igen',
  sent: 'Skickat',
  readBy: (names: string) => `Läst av ${names}`,
  context: { plan: 'Planering', assignment: 'Uppgift', conference: 'Utvecklingssamtal' } satisfies Record<ContextKind, string>,
  openContext: 'Öppna',
  recipients: 'Mottagare',
  searchPeople: 'Sök person',
  noContacts: 'Ingen att välja.',
  subject: 'Ämne (valfritt)',
  firstMessage: 'Meddelande',
  start: 'Starta samtal',
  cancel: 'Avbryt',
  chooseRecipient: 'Välj minst en mottagare.',
  relation: { mentor: 'Mentor', teacher: 'Lärare', staff: 'Personal', student: 'Elev', guardian: 'Vårdnadshavare' } satisfies Record<Contact['relation'], string>,
  guardianOf: (names: string) => `Vårdnadshavare till ${names}`,
  feed: 'Flöde',
  noItems: 'Inget i flödet ännu.',
  newItems: (n: number) => (n === 1 ? 'Visa 1 nytt inlägg' : `Visa ${n} nya inlägg`),
  arrived: (n: number) => (n === 1 ? '1 nytt inlägg' : `${n} nya inlägg`),
  isNew: 'Ny',
  markRead: 'Markera som läst',
  mailing: 'Utskick',
  from: 'Från',
  to: 'Till',
  wholeSchool: 'hela skolan',
  part: 'del av',
  who: { students: 'elever', guardians: 'vårdnadshavare', staff: 'personal' } satisfies Record<keyof Recipients, string>,
  newPost: 'Nytt inlägg',
  newMailing: 'Nytt utskick',
  kind: 'Typ',
  school: 'Skola',
  district: 'Huvudman',
  schools: 'Skolor',
  targets: 'Till vilka',
  chooseMembers: 'Välj elever (annars hela gruppen)',
  sendTo: 'Skicka till',
  title: 'Rubrik',
  body: 'Text',
  publish: 'Publicera',
  published: 'Publicerat.',
  chooseTarget: 'Välj minst en mottagargrupp och vilka som ska få det.',
  typing: (names: string) => `${names} skriver…`,
};

export type Strings = typeof sv;

const en: Strings = {
  locale: 'en-GB',
  status: {
    idle: '', online: '', connecting: 'Connecting…', reconnecting: 'Reconnecting…',
    failed: 'Could not connect to the school hub.',
  },
  loading: 'Loading…',
  loadFailed: 'Could not load: ',
  more: 'Show more',
  inbox: 'Messages',
  newConversation: 'New conversation',
  noConversations: 'No conversations yet.',
  unread: (n) => `${n} unread`,
  unreadMessages: (n) => (n === 1 ? '1 unread message' : `${n} unread messages`),
  back: 'All conversations',
  you: 'You',
  with: 'With',
  conversations: 'Conversations',
  newMessageFrom: (name, body) => `New message from ${name}: ${body}`,
  chooseConversation: 'Choose a conversation.',
  noSuchConversation: 'This conversation does not exist, or you do not have access to it.',
  messages: 'Messages in the conversation',
  older: 'Show older messages',
  writeMessage: 'Write a message',
  send: 'Send',
  sending: 'Sending…',
  waiting: 'Waiting for the connection…',
  failedSend: 'Not sent',
  retry: 'Try again',
  sent: 'Sent',
  readBy: (names) => `Read by ${names}`,
  context: { plan: 'Plan', assignment: 'Assignment', conference: 'Development conference' },
  openContext: 'Open',
  recipients: 'Recipients',
  searchPeople: 'Search people',
  noContacts: 'Nobody to choose.',
  subject: 'Subject (optional)',
  firstMessage: 'Message',
  start: 'Start conversation',
  cancel: 'Cancel',
  chooseRecipient: 'Choose at least one recipient.',
  relation: { mentor: 'Mentor', teacher: 'Teacher', staff: 'Staff', student: 'Student', guardian: 'Guardian' },
  guardianOf: (names) => `Guardian of ${names}`,
  feed: 'Feed',
  noItems: 'Nothing in the feed yet.',
  newItems: (n) => (n === 1 ? 'Show 1 new post' : `Show ${n} new posts`),
  arrived: (n) => (n === 1 ? '1 new post' : `${n} new posts`),
  isNew: 'New',
  markRead: 'Mark as read',
  mailing: 'Mailing',
  from: 'From',
  to: 'To',
  wholeSchool: 'the whole school',
  part: 'part of',
  who: { students: 'students', guardians: 'guardians', staff: 'staff' },
  newPost: 'New post',
  newMailing: 'New mailing',
  kind: 'Kind',
  school: 'School',
  district: 'District',
  schools: 'Schools',
  targets: 'To whom',
  chooseMembers: 'Choose students (else the whole group)',
  sendTo: 'Send to',
  title: 'Title',
  body: 'Text',
  publish: 'Publish',
  published: 'Published.',
  chooseTarget: 'Choose at least one group and who should receive it.',
  typing: (names) => `${names} is typing…`,
};

export function strings(locale: Locale): Strings {
  return locale === 'en' ? en : sv;
}

/** The language for an element: its own or nearest `lang`, then the page's; Swedish unless English. */
export function localeOf(el: Element): Locale {
  const lang = el.closest('[lang]')?.getAttribute('lang') ?? (el.getRootNode() as Partial<ShadowRoot>).host?.closest('[lang]')?.getAttribute('lang') ?? document.documentElement.lang;
  return /^en\b/i.test(lang ?? '') ? 'en' : 'sv';
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** A short time: today's messages by the clock, older ones with the date. */
export function shortTime(iso: string, t: Strings): string {
  const d = new Date(iso);
  const today = new Date().toDateString() === d.toDateString();
  const key = `${t.locale}|${today}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(t.locale, today ? { hour: '2-digit', minute: '2-digit' } : { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
    formats.set(key, f);
  }
  return f.format(d);
}
