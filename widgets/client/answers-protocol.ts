// Acknowledge and RSVP as the widgets see it (docs/PROTOCOL.md "Answers to a post"): a post's
// ask, the answers, and the requests and events that carry them. protocol.ts's `Requests` and
// `HubEvents` extend these.

/** What a post asks: "I have read this", or one of the author's 2–5 answers; `deadline` ISO or null. */
export type Ask = { kind: 'ack'; deadline: string | null } | { kind: 'choice'; options: string[]; deadline: string | null };
/** What post.create takes: the same, the deadline left out when there is none. */
export type AskDraft = { kind: 'ack'; deadline?: string } | { kind: 'choice'; options: string[]; deadline?: string };
/** "ack", or the index of the chosen option. */
export type Answer = 'ack' | number;

/** One of the viewer's own answers: for their child (or themselves), null until answered. */
export interface OwnAnswer {
  forId: string;
  forName: string;
  answer: Answer | null;
  answeredAt: string | null;
}

/** One expected answer as the author side sees it; ids and names are null where the viewer may not see the person. */
export interface AnswerLine {
  personId: string | null;
  personName: string | null;
  forId: string | null;
  forName: string | null;
  as: 'self' | 'guardian';
  answer: Answer | null;
  answeredAt: string | null;
}

export interface Tally {
  /** Per option (an acknowledgement: one count). */
  counts: number[];
  answered: number;
  waiting: number;
}

export type PostAnswers =
  | { postId: string; ask: Ask; scope: 'all'; tally: Tally; answers: AnswerLine[] }
  | { postId: string; ask: Ask; scope: 'own'; answers: OwnAnswer[] };

export interface AnswerRequests {
  'post.answer': [{ postId: string; childId?: string; answer: Answer }, { postId: string; answer: OwnAnswer }];
  'post.answers.get': [{ postId: string }, PostAnswers];
}

export interface AnswerEvents {
  /** To the author side: an answer was given or changed. */
  'post.answers.changed': { postId: string; answer: AnswerLine };
  /** To the answerer's own devices. */
  'post.answered': { postId: string; answer: OwnAnswer };
}
