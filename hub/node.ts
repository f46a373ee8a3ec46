// One hub node: storage, directory, broker, fan-out, sessions and HTTP, started and stopped
// as one. `npm start` (hub/main.ts) and the tests both start hubs through startHub.
import path from 'node:path';
import { loadConfig, type HubConfig } from './config.ts';
import { openPool, type Sql } from '../storage/pool.ts';
import { migrate } from '../storage/migrate.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../storage/embedded.ts';
import { lastImportId } from '../storage/directory.ts';
import { loadDirectoryRecords } from './directory-import.ts';
import { lastEventId } from '../storage/events.ts';
import { buildDirectory } from './directory/build.ts';
import { Directory } from './directory/model.ts';
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
import { RetentionJob } from './privacy/retention.ts';
import { registerPrivacyHttp } from './privacy/http.ts';
import { controlTopic, encodeControl } from './control.ts';

/** Broker topic that tells every node a directory import landed (hub/control.ts). */
const DIRECTORY_TOPIC = controlTopic('directory');
import { tokenVerifier } from './auth/tokens.ts';
import { uws, listen, closeListen, type us_listen_socket } from './uws.ts';
import { Sessions } from './session.ts';
import { httpLimiter, registerHttp } from './http.ts';
import { registerAttachments } from './attachments/http.ts';
import { AttachmentFiles } from '../storage/attachment-files.ts';
import { registerStatic } from './static.ts';
import { requestAddress } from './client-address.ts';
import type { HubCore } from './core.ts';

export interface HubOptions {
  config?: HubConfig;
  /** Defaults to a broker chosen by the config: in-process without REDIS_URL. */
  broker?: Broker;
  log?: (message: string, error?: unknown) => void;
  /** Extra routes (the widgets and demo portal register here). */
  routes?: (app: import('./uws.ts').TemplatedApp, core: HubCore) => void;
}

export interface Hub {
  port: number;
  url: string;
  config: HubConfig;
  core: HubCore;
  sessions: Sessions;
  /** Reloads the directory from storage and refreshes every connection's rights. */
  reloadDirectory(): Promise<void>;
  /** Stops taking connections, closes the open ones with 1001 over `drainMs`, and stops. */
  stop(drainMs?: number): Promise<void>;
}

function defaultLog(message: string, error?: unknown): void {
  if (error === undefined) console.log(`[hub] ${message}`);
  else console.error(`[hub] ${message}:`, error instanceof Error ? error.message : error);
}

export async function startHub(options: HubOptions = {}): Promise<Hub> {
  const config = options.config ?? loadConfig();
  const log = options.log ?? defaultLog;
  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres(config.dataDir);
    databaseUrl = embedded.url;
    log(`embedded PostgreSQL running, data in ${embedded.dataDir}`);
  }
  const sql: Sql = openPool(databaseUrl);
  await migrate(sql);

  let directory: Directory = Directory.empty();
  const reload = async () => {
    directory = buildDirectory(await loadDirectoryRecords(sql));
  };
  await reload();

  const metrics = new Metrics();
  const broker: Broker = options.broker ?? (config.redisUrl ? new RedisBroker(config.redisUrl, { prefix: config.redisPrefix, log }) : new MemoryBroker());
  const fanout = new Fanout(broker, metrics);
  const delivery = new Delivery(broker, fanout, sql, () => directory, log, await lastEventId(sql));
  await delivery.start();
  const publisher = new Publisher(sql, (e) => delivery.publish(e));
  const typing = new TypingRelay(broker, log);
  await typing.start();
  const verifyToken = tokenVerifier({ secret: config.jwtSecret, jwksUrl: config.jwksUrl, issuer: config.issuer, audience: config.audience });

  let dbUp = true;
  const databaseReady = async () => {
    try {
      await sql`select 1`.execute();
      dbUp = true;
    } catch {
      dbUp = false;
    }
    return dbUp;
  };

  const core: HubCore = {
    sql, broker, publisher, fanout, delivery, metrics, verifyToken, log,
    replays: new ReplayBatcher(sql, () => delivery.lastDeliveredId),
    directory: () => directory,
    catchUpDirectory: () => Promise.resolve(), // set below, once the import log is read
    links: config.links,
    typing,
    auditLog: new AuditLog(sql, log),
    attachmentFiles: new AttachmentFiles(path.join(config.dataDir, 'attachments')),
    // No Origin header: not a browser, so not a cross-site page; tokens still decide.
    originAllowed: (origin) => origin === '' || config.allowedOrigins === undefined || config.allowedOrigins.includes(origin),
    draining: false,
    clientAddress: requestAddress(config.trustedProxies),
    withinHttpLimit: () => true,
  };
  core.withinHttpLimit = httpLimiter(core);
  const sessions = new Sessions(core);
  metrics.connections.set(() => sessions.all.size, { state: 'open' });
  metrics.dbUp.set(() => (dbUp ? 1 : 0));
  metrics.brokerUp.set(() => (broker.healthy() ? 1 : 0));

  const reloadDirectory = async () => {
    await reload();
    await sessions.refreshRights();
  };
  // An import on any node reaches every node: a broker message now, and a check of the
  // import log every few seconds for a node that missed it (broker down).
  let seenImport = await lastImportId(sql);
  const reloadIfImported = async () => {
    const latest = await lastImportId(sql);
    if (latest === seenImport) return;
    seenImport = latest;
    await reloadDirectory();
  };
  // Concurrent callers (a burst of hellos from people just imported) share one check.
  let catchingUp: Promise<void> | undefined;
  core.catchUpDirectory = () =>
    (catchingUp ??= reloadIfImported().finally(() => (catchingUp = undefined)));
  broker.onMessage((m) => {
    if (m.topic === DIRECTORY_TOPIC) reloadIfImported().catch((e) => log('directory reload failed', e));
  });
  await broker.subscribe(DIRECTORY_TOPIC);
  const importWatch = setInterval(() => reloadIfImported().catch(() => {}), 5_000);
  importWatch.unref();
  const afterImport = async () => {
    seenImport = await lastImportId(sql);
    await reloadDirectory();
    await broker.publish(DIRECTORY_TOPIC, encodeControl('directory', seenImport)).catch((e) => log('could not tell the other nodes about the import (they check every 5 s)', e));
  };

  const app = uws.App();
  fanout.attach(app);
  typing.attach(app);
  sessions.register(app);
  registerHttp(app, core, { adminToken: config.adminToken, afterImport, databaseReady });
  // A guardian block changes the directory like an import does: the same reload and broadcast.
  registerPrivacyHttp(app, core, { adminToken: config.adminToken, afterDirectoryChange: afterImport });
  registerAttachments(app, core, config.attachments);
  registerStatic(app, config, core);
  options.routes?.(app, core);
  app.any('/*', (res) => {
    res.writeStatus('404 Not Found').writeHeader('content-type', 'text/plain').end('not found\n');
  });

  const retention = new RetentionJob(core, config.retentionIntervalMs);
  retention.start();

  let listenSocket: us_listen_socket | undefined;
  const bound = await listen(app, config.host, config.port);
  listenSocket = bound.socket;
  const url = `http://${config.host}:${bound.port}`;

  let stopped = false;
  return {
    port: bound.port,
    url,
    config,
    core,
    sessions,
    reloadDirectory,
    async stop(drainMs = 0) {
      if (stopped) return;
      stopped = true;
      core.draining = true;
      if (listenSocket) closeListen(listenSocket);
      listenSocket = undefined;
      await sessions.drain(drainMs);
      sessions.stop();
      delivery.stop();
      clearInterval(importWatch);
      await retention.stop();
      await core.auditLog.stop(); // the last audit entries, before the pool closes
      await broker.close();
      await sql.end({ timeout: 5 });
      if (embedded) await embedded.stop();
    },
  };
}
