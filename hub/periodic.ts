// A job every node runs on a timer (retention, scheduled posts): one run at a time on a node,
// none after stop(), and stop() waits for the run under way. Which node does the work, when
// only one may, is the job's own affair (an advisory lock, SKIP LOCKED).
export class Periodic {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  /** `intervalMs` 0: never on this node (another does it). */
  constructor(
    private readonly intervalMs: number,
    private readonly run: () => Promise<void>,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(): void {
    if (this.intervalMs <= 0) return;
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  /** A run now, unless one is under way (a long run is not started twice on one node). */
  tick(): void {
    if (this.running || (this.timer === undefined && this.intervalMs > 0)) return;
    this.running = this.run()
      .catch(this.onError)
      .finally(() => (this.running = undefined));
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}

/**
 * The error handler of a job that runs every second or so: while the database is down every
 * run fails, so it says so once, and again only after a run has succeeded.
 */
export function sayOnce(log: (message: string, error?: unknown) => void, message: string): { ok(): void; failed(error: unknown): void } {
  let failing = false;
  return {
    ok: () => { failing = false; },
    failed: (e) => {
      if (!failing) log(message, e);
      failing = true;
    },
  };
}
