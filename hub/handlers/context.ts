// What a request handler gets: the caller, the directory as it is now, storage and the publisher.
import type { Directory } from '../directory/model.ts';
import type { Sql } from '../../storage/pool.ts';
import type { Publisher } from '../publisher.ts';
import type { RequestOf, RequestType } from '../protocol/frames.ts';
import type { LinkPatterns, PushConfig } from '../config.ts';
import type { TypingRelay } from '../typing.ts';
import type { AuditSink } from '../audit.ts';
import type { AttachmentFiles } from '../../storage/attachment-files.ts';
import type { ConversationCopies } from '../conversation-copies.ts';

export interface HandlerContext {
  personId: string;
  dir: Directory;
  sql: Sql;
  publisher: Publisher;
  /** This node's copies of conversations, which message.send checks against before it reads (hub/conversation-copies.ts). */
  conversations: ConversationCopies;
  /** The portal's link patterns for conversation contexts. */
  links: LinkPatterns;
  /** Web Push settings: which push endpoints push.subscribe accepts (hub/notify/endpoint-guard.ts). */
  push: PushConfig;
  typing: TypingRelay;
  /** The connection the request came on: a key for per-connection state (typing limits). */
  connection: object;
  /** Staff reads of protected persons' data go here (hub/audit.ts `audit`). */
  auditLog: AuditSink;
  /** The bytes of attachments: documentation.update removes those it took off, after its commit. */
  attachmentFiles: Pick<AttachmentFiles, 'remove'>;
  log(message: string, error?: unknown): void;
}

export type Handler<T extends RequestType> = (ctx: HandlerContext, req: RequestOf<T>) => Promise<unknown>;

/**
 * Random words for newId, taken from the system's CSPRNG a few hundred ids at a time: asking
 * it for 8 bytes per id cost a busy hub about 2% of its CPU (loadtest/RESULTS.md).
 */
const randomWords = new Uint32Array(1024);
let nextWord = randomWords.length;

/** Creates ids that sort roughly by time and never collide: prefix + time + 64 random bits. */
export function newId(prefix: string): string {
  if (nextWord + 2 > randomWords.length) {
    crypto.getRandomValues(randomWords);
    nextWord = 0;
  }
  const a = randomWords[nextWord]!;
  const b = randomWords[nextWord + 1]!;
  nextWord += 2;
  return `${prefix}_${Date.now().toString(36)}${a.toString(36)}${b.toString(36)}`;
}

/** Unique violations are decided in storage/errors.ts; handlers import them from here. */
export { isUniqueViolation } from '../../storage/errors.ts';
