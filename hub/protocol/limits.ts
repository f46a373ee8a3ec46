// The limits of what a client may send: the hub's frame schemas (frames.ts,
// frames-development.ts) refuse more, and the widgets use the same numbers for their fields'
// maxlength and their checks before sending, so the two cannot drift apart
// (widgets/limits.test.ts). Plain constants and no imports: the widget bundle includes this file.

export const LIMITS = {
  /** Largest frame the hub decodes; larger ones are answered `too_large` (up to HARD_FRAME_BYTES). */
  frameBytes: 64 * 1024,
  /** Larger frames close the connection with 1009 (docs/PROTOCOL.md §1). */
  hardFrameBytes: 1024 * 1024,
  /**
   * uWS's own limit (maxPayloadLength): above it uWS cuts the TCP connection without a close
   * frame, which it cannot avoid. Between hardFrameBytes and this the hub closes with 1009.
   * A frame in progress is buffered up to this size, so it stays a small multiple.
   */
  uwsFrameBytes: 4 * 1024 * 1024,
  title: 200,
  postBody: 20_000,
  messageBody: 8_000,
  pageSize: 100,
  participants: 50,
  targets: 50,
  memberIds: 500,
  schoolIds: 500,
  itemDescription: 20_000,
  subject: 100,
  location: 200,
  searchQuery: 200,
  searchPage: 50,
  /** contacts.get's `query`. */
  contactsQuery: 100,
  /** Files (images, PDFs) on one message, and on one post. */
  messageFiles: 10,
  postFiles: 10,
  /** push.subscribe's endpoint (push services' are a few hundred characters) and device label. */
  pushEndpoint: 1024,
  deviceLabel: 100,
  /** A post's ask (post.create `ask`): the fixed answers the author offers, 2 to this many. */
  askOptions: 5,
  /** One offered answer ("Ja", "Nej", "Kanske"). */
  askOption: 100,
} as const;

export const DEVELOPMENT_LIMITS = {
  feedbackBody: 8_000,
  assessmentText: 8_000,
  level: 50,
  formAnswer: 4_000,
  formAnswers: 30,
  documentationBody: 20_000,
  goals: 20,
  goal: 200,
  childIds: 200,
  attachments: 20,
  title: 200,
  pageSize: 100,
  searchQuery: 100,
  searchResults: 50,
  /** The dashboard's goal summary: the most worked-on goals, at most this many. */
  dashboardGoals: 100,
} as const;

/** How long after sending a message its sender may edit or delete it (message.edit, message.delete). */
export const EDIT_WINDOW_MS = 15 * 60_000;

/** An attachment's size limit (POST /api/v1/attachments): a photo from a phone or a scanned document. */
export const ATTACHMENT_BYTES = 10 * 1024 * 1024;

/**
 * The reactions a person may put on a message or a post (reaction.set), by name; the widgets
 * draw each one's emoji: 👍 ❤️ 😊 👏 🎉 ❓. A small, kind set (docs/DOMAIN.md, "Reactions"):
 * acknowledgement and warmth, and a question mark that asks without words; nothing negative to
 * pile on a child's message with.
 */
export const REACTIONS = ['like', 'heart', 'smile', 'clap', 'celebrate', 'question'] as const;
export type Reaction = (typeof REACTIONS)[number];

/**
 * A scheduled post's or mailing's time (publishAt): at least a minute ahead (nearer is "now",
 * and a clock a little off would publish it before the author's confirmation arrives), at
 * most a year ahead (the school year; retention periods count from publication).
 */
export const SCHEDULE_LIMITS = { minAheadMs: 60_000, maxAheadMs: 366 * 24 * 3_600_000 } as const;
