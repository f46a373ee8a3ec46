// The words of acknowledge and RSVP (<schoolhub-post-answer> and the composer's ask), in Swedish
// (the default) and English; the shared words (errors, loading) come from ui/i18n.ts.
import type { Locale } from './i18n.ts';

const sv = {
  answers: 'Svar',
  answerFor: (name: string) => `Svar för ${name}`,
  yourAnswer: 'Ditt svar',
  acknowledge: 'Jag har läst',
  acknowledgeFor: (name: string) => `Jag har läst (för ${name})`,
  acknowledged: 'Bekräftat',
  saved: 'Ditt svar är sparat.',
  answeredAt: (when: string) => `Svarat ${when}`,
  deadline: (when: string) => `Svara senast ${when}`,
  closed: 'Sista svarsdag har passerat.',
  notAnswered: 'Inte svarat',
  tally: 'Sammanställning',
  whoAnswered: 'Vem har svarat vad',
  columns: { for: 'För', who: 'Vem', answer: 'Svar' },
  hidden: 'Skyddad uppgift',
  newAnswer: (who: string) => `Nytt svar från ${who}`,
  // The composer.
  ask: 'Be om svar',
  askNone: 'Inget svar behövs',
  askAck: 'Bekräftelse: ”Jag har läst”',
  askChoice: 'Val mellan svar',
  option: (n: number) => `Svarsalternativ ${n}`,
  defaultOptions: ['Ja', 'Nej', 'Kanske'],
  askDeadline: 'Sista svarsdag (valfritt)',
  twoOptions: 'Skriv minst två olika svarsalternativ.',
};

export type AnswerStrings = typeof sv;

const en: AnswerStrings = {
  answers: 'Answers',
  answerFor: (name) => `Answer for ${name}`,
  yourAnswer: 'Your answer',
  acknowledge: 'I have read this',
  acknowledgeFor: (name) => `I have read this (for ${name})`,
  acknowledged: 'Acknowledged',
  saved: 'Your answer is saved.',
  answeredAt: (when) => `Answered ${when}`,
  deadline: (when) => `Answer by ${when}`,
  closed: 'The deadline for answers has passed.',
  notAnswered: 'Not answered',
  tally: 'Summary',
  whoAnswered: 'Who answered what',
  columns: { for: 'For', who: 'Who', answer: 'Answer' },
  hidden: 'Protected identity',
  newAnswer: (who) => `New answer from ${who}`,
  ask: 'Ask for an answer',
  askNone: 'No answer needed',
  askAck: 'Acknowledgement: “I have read this”',
  askChoice: 'A choice of answers',
  option: (n) => `Answer ${n}`,
  defaultOptions: ['Yes', 'No', 'Maybe'],
  askDeadline: 'Deadline (optional)',
  twoOptions: 'Write at least two different answers.',
};

export function answerStrings(locale: Locale): AnswerStrings {
  return locale === 'en' ? en : sv;
}
