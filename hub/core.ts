// What the parts of one hub node share.
import type { Sql } from '../storage/pool.ts';
import type { Directory } from './directory/model.ts';
import type { Fanout } from './fanout.ts';
import type { Delivery } from './delivery.ts';
import type { ReplayBatcher } from './replay.ts';
import type { Metrics } from './metrics.ts';
import type { Publisher } from './publisher.ts';
import type { TokenVerifier } from './auth/tokens.ts';
import type { Broker } from './broker.ts';
import type { LinkPatterns, PushConfig } from './config.ts';
import type { TypingRelay } from './typing.ts';
import type { HttpRequest, HttpResponse } from './uws.ts';
import type { AuditLog } from './audit.ts';
import type { AttachmentFiles } from '../storage/attachment-files.ts';
import type { ConversationCopies } from './conversation-copies.ts';

export interface HubCore {
  sql: Sql;
  broker: Broker;
  publisher: Publisher;
  /** Conversations as this node last read them, for message.send (hub/conversation-copies.ts). */
  conversations: ConversationCopies;
  fanout: Fanout;
  delivery: Delivery;
  replays: ReplayBatcher;
  metrics: Metrics;
  directory(): Directory;
  /**
   * Reloads the directory if an import landed that this node has not seen yet (one query
   * when nothing changed): for a token whose subject is unknown here, which may have been
   * imported on another node a moment ago.
   */
  catchUpDirectory(): Promise<void>;
  /** The portal's link patterns for conversation contexts (HUB_LINK_*). */
  links: LinkPatterns;
  /** Web Push (HUB_VAPID_*, HUB_PUSH_*): the guard's policy for push.subscribe, the VAPID public key clients subscribe with. */
  push: PushConfig;
  /** Ephemeral typing indicators, outside the event log. */
  typing: TypingRelay;
  /** Staff reads of protected persons' data, written in batches (hub/audit.ts). */
  auditLog: AuditLog;
  /** The bytes of attachments under HUB_DATA_DIR/attachments (the retention job removes them with their rows). */
  attachmentFiles: AttachmentFiles;
  verifyToken: TokenVerifier;
  originAllowed(origin: string): boolean;
  draining: boolean;
  /**
   * The client of a request as every per-address limit counts it (hub/client-address.ts:
   * X-Forwarded-For only from a trusted proxy; IPv6 by its /64). Only in the synchronous handler.
   */
  clientAddress(res: HttpResponse, req: HttpRequest): string;
  /** The per-address limit of HTTP requests: true to go on, else it answered 429. Call it first, synchronously. */
  withinHttpLimit(res: HttpResponse, req: HttpRequest, route: string): boolean;
  log(message: string, error?: unknown): void;
}
