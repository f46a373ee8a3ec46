// The widgets' words, in Swedish (the default) and English. A widget takes its language from
// its own `lang`, else the nearest ancestor's, else the page's; anything not English is Swedish.
import type { Contact, ContextKind, Reaction, Recipients } from '../client/protocol.ts';
import type { Status } from '../client/client.ts';
import { HubError } from '../client/protocol.ts';
import { AttachmentError } from '../client/attachments.ts';

/**
 * Every error a widget can meet, by the hub's code: the request codes (PROTOCOL.md §6), the
 * attachments API's (§9) and the client's own (`closed`: the connection ended first).
 */
type ErrorKey =
  | 'invalid' | 'unauthenticated' | 'forbidden' | 'not_found' | 'conflict' | 'rate_limited' | 'too_large' | 'unavailable' | 'refused'
  | 'closed' | 'internal' | 'quota_exceeded' | 'storage_full' | 'disk_full' | 'bad_type' | 'timeout' | 'unknown';
/** Close codes shown when the connection gave up (PROTOCOL.md §7). */
type CloseKey = 4001 | 4002 | 4003 | 4008 | 4009 | 1001 | 1009;

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
  // Files in chat and posts: one block, kept together.
  attachFiles: 'Bifoga bild eller PDF',
  removeFile: (name: string) => `Ta bort ${name}`,
  uploading: 'Laddar upp…',
  uploadFailed: (name: string) => `${name} kunde inte laddas upp`,
  filesOf: (n: number) => (n === 1 ? '1 fil' : `${n} filer`),
  send: 'Skicka',
  sending: 'Skickas…',
  waiting: 'Väntar på anslutning…',
  failedSend: 'Kunde inte skickas',
  retry: 'Försök igen',
  sent: 'Skickat',
  readBy: (names: string) => `Läst av ${names}`,
  context: { plan: 'Planering', assignment: 'Uppgift', conference: 'Utvecklingssamtal' } satisfies Record<ContextKind, string>,
  openContext: { plan: 'Öppna planeringen', assignment: 'Öppna uppgiften', conference: 'Öppna utvecklingssamtalet' } satisfies Record<ContextKind, string>,
  recipients: 'Mottagare',
  searchPeople: 'Sök person',
  noContacts: 'Ingen att välja.',
  subject: 'Ämne (valfritt)',
  firstMessage: 'Meddelande',
  start: 'Starta samtal',
  cancel: 'Avbryt',
  chooseRecipient: 'Välj minst en mottagare.',
  conversationWith: 'Samtal med',
  chosenPeople: 'Personer som du väljer',
  wholeGroupOption: (group: string, who: string) => `Hela gruppen: ${group} – ${who}`,
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
  // Feed, posts and images (issue 12): one block, kept together.
  publishedPost: 'Inlägget är publicerat.',
  publishedMailing: 'Utskicket är publicerat.',
  // Scheduled posts and mailings: one block, kept together.
  publishLater: 'Publicera senare',
  publishAt: 'Datum och tid',
  schedule: 'Schemalägg',
  scheduledFor: (when: string) => `Schemalagt till ${when}.`,
  scheduledList: 'Schemalagda',
  scheduledKind: { post: 'Inlägg', mailing: 'Utskick' },
  scheduledNone: 'Inget schemalagt.',
  cancelPublication: (title: string) => `Avbryt publiceringen av ”${title}”`,
  cancelShort: 'Avbryt',
  changeTime: 'Ändra tid',
  newTime: (title: string) => `Ny tid för ”${title}”`,
  notPublished: 'Kunde inte publiceras',
  publicationCancelled: (title: string) => `Publiceringen av ”${title}” är avbruten.`,
  showMore: 'Visa mer',
  showLess: 'Visa mindre',
  unreadPosts: (n: number) => (n === 1 ? '1 oläst inlägg' : `${n} olästa inlägg`),
  typing: (names: string, count: number) => (count > 0 ? `${names} skriver…` : ''),
  typingMany: 'Flera skriver…',
  and: 'och',
  someone: 'En deltagare',
  conversation: 'Samtal',
  group: 'Gruppen',
  wholeGroup: (group: string, who: string) => `${group} – alla ${who}`,
  participantCount: (n: number) => `${n} deltagare`,
  newTab: 'öppnas i en ny flik',
  newer: 'Visa nyare meddelanden',
  edited: 'redigerat',
  deletedMessage: 'Meddelandet togs bort',
  edit: 'Redigera',
  editMessage: 'Redigera meddelandet',
  save: 'Spara',
  remove: 'Ta bort',
  confirmRemove: 'Ta bort meddelandet?',
  changeFailed: 'Kunde inte ändras',
  quietHours: 'Läraren svarar under skoltid',
  search: 'Sök i meddelanden',
  /** The search region's name: not the field's label, so that the two are told apart. */
  messageSearch: 'Meddelandesökning',
  searchButton: 'Sök',
  searchResults: 'Sökresultat',
  clearSearch: 'Rensa sökningen',
  searchWords: 'Sök med minst ett ord (bokstäver eller siffror).',
  hits: (n: number) => (n === 0 ? 'Inga träffar.' : n === 1 ? '1 träff' : `${n} träffar`),
  // Whole-group conversations: only the mentors write; the others reply privately (issue 12).
  audienceLine: (group: string, audience: 'students' | 'guardians') =>
    `Alla ${audience === 'guardians' ? 'vårdnadshavare' : 'elever'} i ${group} och mentorerna läser detta`,
  onlyMentorsWrite: 'Bara mentorerna skriver här. Välj ”Svara privat till mentorn” på ett meddelande för att skriva till mentorn.',
  replyPrivately: 'Svara privat till mentorn',
  privateReplyTo: (name: string) => `Privat svar till ${name} – bara ni två ser det`,
  replyingTo: 'Svar på',
  // Reactions (issue 13) and private replies to posts.
  reactions: 'Reaktioner',
  reaction: { like: 'Tumme upp', heart: 'Hjärta', smile: 'Glad', clap: 'Applåd', celebrate: 'Hurra', question: 'Fråga' } satisfies Record<Reaction, string>,
  /** A reaction button's name: what it is, how many, and who where the hub shows them. */
  reactionLabel: (name: string, count: number, names: string) => `${name}: ${count}${names ? ` (${names})` : ''}`,
  reactFailed: 'Reaktionen kunde inte sparas',
  replyPrivatelyToPost: 'Svara privat',
  replySent: (name: string) => `Skickat till ${name}. Svaret finns i dina meddelanden.`,
  errors: {
    invalid: 'Något i det du skickade stämmer inte. Kontrollera och försök igen.',
    unauthenticated: 'Du är inte inloggad längre. Ladda om sidan.',
    forbidden: 'Skolans regler tillåter inte det här.',
    not_found: 'Det finns inte, eller så har du inte tillgång till det.',
    conflict: 'Det har ändrats under tiden. Ladda om och försök igen.',
    rate_limited: 'För många försök på kort tid. Vänta en stund och försök igen.',
    too_large: 'Det är för stort.',
    unavailable: 'Skolhubben kunde inte spara just nu. Försök igen om en stund.',
    refused: 'Aviseringar kan inte skickas till den här webbläsaren.',
    closed: 'Anslutningen bröts innan svaret kom. Försök igen.',
    internal: 'Något gick fel i skolhubben. Försök igen om en stund.',
    quota_exceeded: 'Du har för många uppladdade filer som inte används i någon dokumentation än. Använd dem först.',
    storage_full: 'Skolhubben tar inte emot fler filer just nu. Kontakta skolans administratör.',
    disk_full: 'Skolhubbens lagring är nästan full. Kontakta skolans administratör.',
    bad_type: 'Filen är inte av en typ som tas emot, eller så stämmer innehållet inte med typen.',
    timeout: 'Det tog för lång tid. Försök igen.',
    unknown: 'Något gick fel. Försök igen.',
  } satisfies Record<ErrorKey, string>,
  closes: {
    4001: 'Anslutningen startade inte i tid.',
    4002: 'Widgeten och skolhubben förstår inte varandra. Ladda om sidan.',
    4003: 'Inloggningen har gått ut. Ladda om sidan.',
    4008: 'För många meddelanden på kort tid.',
    4009: 'Anslutningen var för långsam.',
    1001: 'Skolhubben startar om.',
    1009: 'Något som skickades var för stort.',
  } satisfies Record<CloseKey, string>,
  // Chat and inbox (issue 12): mark all as read, the length counter, a message's actions.
  markAllRead: 'Markera alla som lästa',
  allRead: 'Alla samtal är markerade som lästa.',
  charsLeft: (n: number) => (n >= 0 ? `${n} tecken kvar` : `${-n} tecken för mycket`),
  tooLong: (max: number) => `För långt för att skicka: högst ${max} tecken. Korta texten eller dela upp den.`,
  actions: 'Åtgärder',
  listHint: 'Pil upp och ned flyttar mellan meddelandena. Enter visar åtgärder för ett eget meddelande.',
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
  attachFiles: 'Attach an image or PDF',
  removeFile: (name) => `Remove ${name}`,
  uploading: 'Uploading…',
  uploadFailed: (name) => `${name} could not be uploaded`,
  filesOf: (n) => (n === 1 ? '1 file' : `${n} files`),
  send: 'Send',
  sending: 'Sending…',
  waiting: 'Waiting for the connection…',
  failedSend: 'Not sent',
  retry: 'Try again',
  sent: 'Sent',
  readBy: (names) => `Read by ${names}`,
  context: { plan: 'Plan', assignment: 'Assignment', conference: 'Development conference' },
  openContext: { plan: 'Open the plan', assignment: 'Open the assignment', conference: 'Open the conference' },
  recipients: 'Recipients',
  searchPeople: 'Search people',
  noContacts: 'Nobody to choose.',
  subject: 'Subject (optional)',
  firstMessage: 'Message',
  start: 'Start conversation',
  cancel: 'Cancel',
  chooseRecipient: 'Choose at least one recipient.',
  conversationWith: 'Conversation with',
  chosenPeople: 'People you choose',
  wholeGroupOption: (group, who) => `Whole group: ${group} – ${who}`,
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
  publishedPost: 'The post is published.',
  publishedMailing: 'The mailing is published.',
  publishLater: 'Publish later',
  publishAt: 'Date and time',
  schedule: 'Schedule',
  scheduledFor: (when) => `Scheduled for ${when}.`,
  scheduledList: 'Scheduled',
  scheduledKind: { post: 'Post', mailing: 'Mailing' },
  scheduledNone: 'Nothing scheduled.',
  cancelPublication: (title) => `Cancel the publication of “${title}”`,
  cancelShort: 'Cancel',
  changeTime: 'Change time',
  newTime: (title) => `New time for “${title}”`,
  notPublished: 'Could not be published',
  publicationCancelled: (title) => `The publication of “${title}” is cancelled.`,
  showMore: 'Show more',
  showLess: 'Show less',
  unreadPosts: (n) => (n === 1 ? '1 unread post' : `${n} unread posts`),
  typing: (names, count) => (count > 0 ? `${names} ${count > 1 ? 'are' : 'is'} typing…` : ''),
  typingMany: 'Several people are typing…',
  and: 'and',
  someone: 'A participant',
  conversation: 'Conversation',
  group: 'The group',
  wholeGroup: (group, who) => `${group} – all ${who}`,
  participantCount: (n) => (n === 1 ? '1 participant' : `${n} participants`),
  newTab: 'opens in a new tab',
  newer: 'Show newer messages',
  edited: 'edited',
  deletedMessage: 'The message was deleted',
  edit: 'Edit',
  editMessage: 'Edit the message',
  save: 'Save',
  remove: 'Delete',
  confirmRemove: 'Delete the message?',
  changeFailed: 'Could not be changed',
  quietHours: 'The teacher will answer during school hours',
  search: 'Search messages',
  messageSearch: 'Message search',
  searchButton: 'Search',
  searchResults: 'Search results',
  clearSearch: 'Clear the search',
  searchWords: 'Search for at least one word (letters or digits).',
  hits: (n) => (n === 0 ? 'No results.' : n === 1 ? '1 result' : `${n} results`),
  audienceLine: (group, audience) => `All ${audience} in ${group} and the mentors read this`,
  onlyMentorsWrite: 'Only the mentors write here. Choose “Reply privately to the mentor” on a message to write to the mentor.',
  replyPrivately: 'Reply privately to the mentor',
  privateReplyTo: (name) => `Private reply to ${name} – only the two of you see it`,
  replyingTo: 'In reply to',
  reactions: 'Reactions',
  reaction: { like: 'Thumbs up', heart: 'Heart', smile: 'Smile', clap: 'Applause', celebrate: 'Hooray', question: 'Question' },
  reactionLabel: (name, count, names) => `${name}: ${count}${names ? ` (${names})` : ''}`,
  reactFailed: 'The reaction could not be saved',
  replyPrivatelyToPost: 'Reply privately',
  replySent: (name) => `Sent to ${name}. The reply is in your messages.`,
  errors: {
    invalid: 'Something in what you sent is not right. Check it and try again.',
    unauthenticated: 'You are no longer signed in. Reload the page.',
    forbidden: 'The school’s rules do not allow this.',
    not_found: 'It does not exist, or you do not have access to it.',
    conflict: 'It changed in the meantime. Reload and try again.',
    rate_limited: 'Too many attempts in a short time. Wait a moment and try again.',
    too_large: 'It is too large.',
    unavailable: 'The school hub could not save just now. Try again in a moment.',
    refused: 'Notifications cannot be sent to this browser.',
    closed: 'The connection ended before the answer came. Try again.',
    internal: 'Something went wrong in the school hub. Try again in a moment.',
    quota_exceeded: 'You have too many uploaded files not yet used in a documentation. Use them first.',
    storage_full: 'The school hub takes no more files just now. Contact the school’s administrator.',
    disk_full: 'The school hub’s storage is nearly full. Contact the school’s administrator.',
    bad_type: 'The file is not of a type that is accepted, or its content does not match its type.',
    timeout: 'It took too long. Try again.',
    unknown: 'Something went wrong. Try again.',
  },
  closes: {
    4001: 'The connection did not start in time.',
    4002: 'The widget and the school hub do not understand each other. Reload the page.',
    4003: 'The sign-in has expired. Reload the page.',
    4008: 'Too many messages in a short time.',
    4009: 'The connection was too slow.',
    1001: 'The school hub is restarting.',
    1009: 'Something sent was too large.',
  },
  markAllRead: 'Mark all as read',
  allRead: 'All conversations are marked as read.',
  charsLeft: (n) => (n >= 0 ? `${n} characters left` : `${-n} characters too many`),
  tooLong: (max) => `Too long to send: at most ${max} characters. Shorten the text or split it up.`,
  actions: 'Actions',
  listHint: 'Up and down arrows move between the messages. Enter shows the actions of a message of your own.',
};

export function strings(locale: Locale): Strings {
  return locale === 'en' ? en : sv;
}

const HTTP_KEYS: Record<number, ErrorKey> = { 400: 'invalid', 401: 'unauthenticated', 403: 'forbidden', 404: 'not_found', 408: 'timeout', 413: 'too_large', 415: 'bad_type', 429: 'rate_limited', 500: 'internal', 503: 'unavailable' };

function errorKey(err: unknown, t: Strings): ErrorKey {
  // A code this bundle does not know yet (a newer hub) reads as "something went wrong".
  if (err instanceof HubError) return err.code in t.errors ? err.code : 'unknown';
  if (err instanceof AttachmentError) {
    if (err.code in t.errors && err.status !== 415) return err.code as ErrorKey;
    return HTTP_KEYS[err.status] ?? 'unknown';
  }
  return 'unknown';
}

/**
 * What to tell the person about a failed request, in their language. The hub's own reason is
 * English (for developers and support): it is added in English only, never mixed into Swedish.
 */
export function errorText(err: unknown, t: Strings): string {
  // A widget's own refusal (a plain Error it threw, already in the page's language) is shown
  // as it is; the browser's own (TypeError "Failed to fetch", …) are English and are not.
  if (err instanceof Error && err.constructor === Error) return err.message;
  return `${t.errors[errorKey(err, t)]}${hubReason(err, t)}`;
}

/** The hub's (English) reason in parentheses, in English only. */
export function hubReason(err: unknown, t: Strings): string {
  return t === en && err instanceof Error && err.message ? ` (${err.message})` : '';
}

/** The status line when the connection gave up: why, if the close code says. */
export function failedText(closeCode: number | undefined, t: Strings): string {
  const why = closeCode !== undefined && closeCode in t.closes ? t.closes[closeCode as CloseKey] : '';
  return why ? `${t.status.failed} ${why}` : t.status.failed;
}

/** The language for an element: its own or nearest `lang`, then the page's; Swedish unless English. */
export function localeOf(el: Element): Locale {
  const lang = el.closest('[lang]')?.getAttribute('lang') ?? (el.getRootNode() as Partial<ShadowRoot>).host?.closest('[lang]')?.getAttribute('lang') ?? document.documentElement.lang;
  return /^en\b/i.test(lang ?? '') ? 'en' : 'sv';
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** A date and time in full (a scheduled post's time): "5 dec. 2026 08:00". */
export function dateAndTime(iso: string, t: Strings): string {
  const key = `${t.locale}|full`;
  let f = formats.get(key);
  if (!f) formats.set(key, (f = new Intl.DateTimeFormat(t.locale, { dateStyle: 'medium', timeStyle: 'short' })));
  return f.format(new Date(iso));
}

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
