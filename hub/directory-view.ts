// This node's view of the directory: the in-memory Directory the rules read, kept up to date
// with PostgreSQL. An import or guardian block on any node reaches every node: a message on the
// `__directory` broker topic at once, and a check of the import log every 5 s for a node that
// missed it (broker down), or before a token whose subject is unknown here is refused.
import { lastImportId } from '../storage/directory.ts';
import { loadDirectoryRecords } from './directory-import.ts';
import type { Sql } from '../storage/pool.ts';
import { buildDirectory, buildDirectoryInSlices } from './directory/build.ts';
import type { Directory } from './directory/model.ts';
import type { Broker, BrokerMessage } from './broker.ts';
import { controlTopic, decodeControl, encodeControl } from './control.ts';
import type { HubCore } from './core.ts';

const DIRECTORY_TOPIC = controlTopic('directory');
/** How often every node checks the import log for a change whose broker message it missed. */
const IMPORT_CHECK_MS = 5_000;

/** What must follow the directory when it changes: every connection's rights (hub/session.ts). */
export interface DirectoryFollower {
  refreshRights(): Promise<void>;
}

type Log = HubCore['log'];

export class DirectoryView {
  private follower: DirectoryFollower | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** A catch-up in flight, shared by the callers that arrive meanwhile. */
  private catchingUp: Promise<void> | undefined;
  /** A reload asked for since the running round began it (see reload). */
  private reloadWanted = false;
  private reloading: Promise<void> | undefined;

  private constructor(
    private readonly sql: Sql,
    private readonly broker: Broker,
    private readonly log: Log,
    private view: Directory,
    /** The newest import this view includes. */
    private seenImport: number,
  ) {}

  /** The view as stored now. Nothing reacts to other nodes until start(). */
  static async load(sql: Sql, broker: Broker, log: Log): Promise<DirectoryView> {
    // The import id first: an import landing between the two reads is then reloaded later, never missed.
    const seen = await lastImportId(sql);
    const view = buildDirectory(await loadDirectoryRecords(sql));
    view.importId = seen;
    return new DirectoryView(sql, broker, log, view, seen);
  }

  get current(): Directory {
    return this.view;
  }

  /**
   * Follows the other nodes' changes from here on (broker and timer) and tells `follower` after
   * every change. The follower is built on this view (sessions read it), hence given here.
   */
  async start(follower: DirectoryFollower): Promise<void> {
    this.follower = follower;
    this.broker.onMessage((m) => this.received(m));
    await this.broker.subscribe(DIRECTORY_TOPIC);
    this.timer = setInterval(() => this.reloadIfImported().catch(() => {}), IMPORT_CHECK_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /**
   * Rebuilds the view from storage and refreshes every connection's rights; resolves once a
   * round that began after this call has ended. The view is built in slices (a municipality's
   * takes 0.5–0.7 s), so rounds run one at a time: two side by side could end in the wrong
   * order and leave the older records in place. A call during a round asks for one more.
   */
  reload(): Promise<void> {
    this.reloadWanted = true;
    return (this.reloading ??= (async () => {
      try {
        while (this.reloadWanted) {
          this.reloadWanted = false;
          // The id read before the records: a view may hold an import newer than its id (it is
          // reloaded at the next check, as that import's id is newer), never miss one its id includes.
          const seen = this.seenImport;
          const view = await buildDirectoryInSlices(await loadDirectoryRecords(this.sql));
          view.importId = seen;
          this.view = view;
          await this.follower?.refreshRights();
        }
      } finally {
        this.reloading = undefined;
      }
    })());
  }

  /**
   * Reloads if an import landed that this node has not seen yet (one query when nothing
   * changed). Concurrent callers (a burst of hellos from people just imported) share one check.
   */
  catchUp(): Promise<void> {
    return (this.catchingUp ??= this.reloadIfImported().finally(() => (this.catchingUp = undefined)));
  }

  /** An import or guardian block committed on this node: reload here and tell the other nodes. */
  async changed(): Promise<void> {
    this.seenImport = await lastImportId(this.sql);
    await this.reload();
    await this.broker
      .publish(DIRECTORY_TOPIC, encodeControl('directory', this.seenImport))
      .catch((e) => this.log('could not tell the other nodes about the import (they check every 5 s)', e));
  }

  private async reloadIfImported(): Promise<void> {
    const latest = await lastImportId(this.sql);
    if (latest === this.seenImport) return;
    this.seenImport = latest;
    await this.reload();
  }

  private received(m: BrokerMessage): void {
    if (m.topic !== DIRECTORY_TOPIC) return;
    if (decodeControl('directory', m.payload) === undefined) {
      this.log(`ignored a malformed broker message on ${m.topic}`);
      return;
    }
    // The message says that something changed; the import log says what is current.
    this.reloadIfImported().catch((e) => this.log('directory reload failed', e));
  }
}
