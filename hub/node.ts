// One hub node: storage, directory, broker, fan-out, sessions and HTTP, started and stopped
// as one. `npm start` (hub/main.ts) and the tests both start hubs through startHub. Each part
// is built after the parts it needs and given them in its constructor; the one cycle (the
// directory view tells the sessions, which read the view) is closed by DirectoryView.start.
import path from 'node:path';
import { loadConfig, type HubConfig } from './config.ts';
import { openPool, type Sql } from '../storage/pool.ts';
import { migrate } from '../storage/migrate.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../storage/embedded.ts';
import { eventsFinal } from '../storage/events.ts';
import { DirectoryView } from './directory-view.ts';
import { MemoryBroker } from './broker-memory.ts';
import { RedisBroker } from './broker-redis.ts';
import type { Broker } from './broker.ts';
import { Fanout } from './fanout.ts';
import { Metrics } from './metrics.ts';
import { Publisher } from './publisher.ts';
import { Delivery } from './delivery.ts';
import { ReplayBatcher } from './replay.ts';
import { TypingRelay } from './typing.ts';
import { AuditLog } from './audit.ts';
import { CONVERSATION_COPIES, ConversationCopies } from './conversation-copies.ts';
import { RetentionJob } from './privacy/retention.ts';
import { GinPendingMover } from './gin-pending-mover.ts';
import { ReadFolder } from './read-folder.ts';
import { ScheduledPublisher } from './scheduled-publisher.ts';
import { registerPrivacyHttp } from './privacy/http.ts';
import { tokenVerifier } from './auth/tokens.ts';
import { uws, listen, closeListen, type TemplatedApp } from './uws.ts';
import { Sessions } from './session.ts';
import { httpLimiter, registerHttp } from './http.ts';
import { registerAttachments } from './attachments/http.ts';
import { AttachmentFiles } from '../storage/attachment-files.ts';
import { registerStatic } from './static.ts';
import { requestAddress } from './client-address.ts';
import type { HubCore } from './core.ts';
import { NotificationOutbox } from './notify/outbox.ts';
import type { NotifyChannels } from './notify/targets.ts';
import { configuredChannels } from './notify/configured.ts';
import { startMail, type MailService } from './notify/mail.ts';

export interface HubOptions {
  config?: HubConfig;
  /** Defaults to a broker chosen by the config: in-process without REDIS_URL. */
  broker?: Broker;
  log?: Log;
  /** Extra routes (the widgets and demo portal register here). */
  routes?: (app: TemplatedApp, core: HubCore) => void;
  /**
   * The notification channels and where people are reached (docs/NOTIFICATIONS.md), instead of
   * those the configuration gives (hub/notify/configured.ts); with channels (and HUB_NOTIFY on)
   * this node works the notification outbox. `pollMs`: how often an idle outbox loop looks for
   * work; `leaseMs`: how long a claim holds rows.
   */
  notify?: { channels: NotifyChannels; pollMs?: number; leaseMs?: number };
}

export interface Hub {
  port: number;
  url: string;
  config: HubConfig;
  core: HubCore;
  sessions: Sessions;
  /** E-mail notifications: the channel (null when off), where each person's e-mail goes, the dev mailbox. */
  mail: MailService;
  /** Reloads the directory from storage and refreshes every connection's rights. */
  reloadDirectory(): Promise<void>;
  /** Publishes scheduled posts and mailings when due (every HUB_SCHEDULE_INTERVAL_MS). */
  scheduled: ScheduledPublisher;
  /** Stops taking connections, closes the open ones with 1001 over `drainMs`, and stops. */
  stop(drainMs?: number): Promise<void>;
}

type Log = HubCore['log'];

function defaultLog(message: string, error?: unknown): void {
  if (error === undefined) console.log(`[hub] ${message}`);
  else console.error(`[hub] ${message}:`, error instanceof Error ? error.message : error);
}

interface Database {
  sql: Sql;
  /** Whether PostgreSQL answers (/readyz); the last answer is the db_up gauge. */
  ready(): Promise<boolean>;
  up(): boolean;
  close(): Promise<void>;
}

/** The configured PostgreSQL, or an embedded one without DATABASE_URL; migrated. */
async function openDatabase(config: HubConfig, log: Log): Promise<Database> {
  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres(config.dataDir);
    databaseUrl = embedded.url;
    log(`embedded PostgreSQL running, data in ${embedded.dataDir}`);
  }
  const sql: Sql = openPool(databaseUrl);
  await migrate(sql);
  let up = true;
  return {
    sql,
    async ready() {
      try {
        await sql`select 1`.execute();
        up = true;
      } catch {
        up = false;
      }
      return up;
    },
    up: () => up,
    async close() {
      await sql.end({ timeout: 5 });
      if (embedded) await embedded.stop();
    },
  };
}

/** What the later steps are built on, in the order startHub makes it. */
interface Base {
  config: HubConfig;
  log: Log;
  database: Database;
  broker: Broker;
  directory: DirectoryView;
  metrics: Metrics;
}

/** The way of a committed event: fan-out here, the broker to the other nodes, and typing beside it. */
interface EventPath {
  fanout: Fanout;
  delivery: Delivery;
  publisher: Publisher;
  typing: TypingRelay;
}

async function startEventPath({ database: { sql }, broker, metrics, directory, log }: Base): Promise<EventPath> {
  const fanout = new Fanout(broker, metrics);
  const delivery = new Delivery(broker, fanout, sql, () => directory.current, log, await eventsFinal(sql));
  await delivery.start();
  const publisher = new Publisher(sql, (e) => delivery.publish(e), (seconds) => metrics.writeSeconds.observe(seconds));
  const typing = new TypingRelay(broker, log);
  await typing.start();
  return { fanout, delivery, publisher, typing };
}

/** The node's conversation copies, counted and sized in /metrics. */
function conversationCopies(metrics: Metrics): ConversationCopies {
  const copies = new ConversationCopies(CONVERSATION_COPIES, (outcome) => metrics.conversationCopies.inc({ outcome }));
  metrics.conversationCopiesKept.set(() => copies.size);
  return copies;
}

function buildCore({ config, log, database: { sql }, broker, metrics, directory }: Base, events: EventPath): HubCore {
  const { fanout, delivery, publisher, typing } = events;
  const clientAddress = requestAddress(config.trustedProxies);
  return {
    sql, broker, publisher, fanout, delivery, metrics, log, typing, clientAddress,
    conversations: conversationCopies(metrics),
    verifyToken: tokenVerifier({ secret: config.jwtSecret, jwksUrl: config.jwksUrl, issuer: config.issuer, audience: config.audience }),
    replays: new ReplayBatcher(sql, () => delivery.lastDeliveredId),
    directory: () => directory.current,
    catchUpDirectory: () => directory.catchUp(),
    links: config.links,
    push: config.push,
    auditLog: new AuditLog(sql, log),
    attachmentFiles: new AttachmentFiles(path.join(config.dataDir, 'attachments')),
    // No Origin header: not a browser, so not a cross-site page; tokens still decide.
    originAllowed: (origin) => origin === '' || config.allowedOrigins === undefined || config.allowedOrigins.includes(origin),
    draining: false,
    withinHttpLimit: httpLimiter({ clientAddress, metrics }),
  };
}

function routeApp({ config, directory, database }: Base, core: HubCore, sessions: Sessions, mail: MailService, routes: HubOptions['routes']): TemplatedApp {
  const app = uws.App();
  core.fanout.attach(app);
  core.typing.attach(app);
  sessions.register(app);
  const afterImport = () => directory.changed();
  registerHttp(app, core, { adminToken: config.adminToken, afterImport, databaseReady: () => database.ready() });
  // A guardian block changes the directory like an import does: the same reload and broadcast.
  registerPrivacyHttp(app, core, { adminToken: config.adminToken, afterDirectoryChange: afterImport });
  registerAttachments(app, core, config.attachments);
  registerStatic(app, config, core);
  mail.register(app);
  routes?.(app, core);
  app.any('/*', (res) => {
    res.writeStatus('404 Not Found').writeHeader('content-type', 'text/plain').end('not found\n');
  });
  return app;
}

export async function startHub(options: HubOptions = {}): Promise<Hub> {
  const config = options.config ?? loadConfig();
  const log = options.log ?? defaultLog;
  const database = await openDatabase(config, log);
  const broker: Broker = options.broker ?? (config.redisUrl ? new RedisBroker(config.redisUrl, { prefix: config.redisPrefix, log }) : new MemoryBroker());
  const directory = await DirectoryView.load(database.sql, broker, log);
  const metrics = new Metrics();
  const base: Base = { config, log, database, broker, directory, metrics };
  const events = await startEventPath(base);
  const core = buildCore(base, events);
  const sessions = new Sessions(core);
  await directory.start(sessions);
  metrics.connections.set(() => sessions.all.size, { state: 'open' });
  metrics.dbUp.set(() => (database.up() ? 1 : 0));
  metrics.brokerUp.set(() => (broker.healthy() ? 1 : 0));
  const stopGcMetrics = metrics.observeGc();
  // Unsubscribe links point at HUB_PUBLIC_URL, in dev at where this node listens (known after listen).
  let listeningUrl = '';
  const mail = startMail(config, core, () => listeningUrl);
  const app = routeApp(base, core, sessions, mail, options.routes);
  const retention = new RetentionJob(core, config.retentionIntervalMs);
  retention.start();
  const ginMover = new GinPendingMover(database.sql, log);
  ginMover.start();
  const readFolder = new ReadFolder(database.sql, log);
  readFolder.start();
  const scheduled = new ScheduledPublisher(core, config.scheduleIntervalMs);
  scheduled.start();
  const configured = options.notify ? undefined : configuredChannels(database.sql, mail, config.push);
  const notify = options.notify ?? (configured && { channels: configured });
  const outbox = notify && config.notify.worker && (notify.channels.push || notify.channels.mail)
    ? new NotificationOutbox({
      sql: database.sql, directory: () => directory.current, channels: notify.channels, metrics, log,
      graceMs: config.notify.graceMs, maxTries: config.notify.maxTries, pollMs: notify.pollMs, leaseMs: notify.leaseMs,
    })
    : undefined;
  outbox?.start();
  const bound = await listen(app, config.host, config.port);
  listeningUrl = `http://${config.host}:${bound.port}`;

  let stopped = false;
  return {
    port: bound.port,
    url: listeningUrl,
    config,
    core,
    sessions,
    mail,
    reloadDirectory: () => directory.reload(),
    scheduled,
    async stop(drainMs = 0) {
      if (stopped) return;
      stopped = true;
      core.draining = true;
      closeListen(bound.socket);
      await sessions.drain(drainMs);
      sessions.stop();
      await scheduled.stop(); // a publication under way commits (or not) before the pool closes
      events.delivery.stop();
      directory.stop();
      await retention.stop();
      await ginMover.stop();
      await readFolder.stop();
      await outbox?.stop(); // sends in flight finish and are recorded before the pool closes
      configured?.close();
      mail.close();
      await core.auditLog.stop(); // the last audit entries, before the pool closes
      await broker.close();
      await database.close();
      stopGcMetrics();
    },
  };
}
