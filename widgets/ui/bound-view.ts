// A development view bound to one DevelopmentStore at a time (the development and documentation
// widgets, the staff's card and group overview): it rebinds when what to show changes and tells
// its owner, on every change, how many records arrived live since the last.
import type { HubClient } from '../client/client.ts';
import type { DevelopmentStore } from '../client/development-store.ts';

export class BoundView {
  store: DevelopmentStore | undefined;
  /** What the view shows (a source as JSON, a student's or a group's id); undefined: nothing. */
  key: string | undefined;
  private off: (() => void) | undefined;
  private seen = 0;

  /**
   * `own`: the stores are the view's own, disposed when it lets go of them (the staff open card
   * after card, and each store left behind would keep listening); else the page's shared ones.
   */
  constructor(
    private readonly changed: (store: DevelopmentStore, arrived: number) => void,
    private readonly own: boolean,
  ) {}

  /** Follows the store `make` gives for `key`, or nothing; the same key keeps its store. */
  bind(client: HubClient | undefined, view: { key: string; make: (client: HubClient) => DevelopmentStore } | undefined): void {
    const key = view?.key;
    if (key === this.key && (key === undefined || this.store)) return;
    this.clear();
    this.key = key;
    if (!client || !view) return;
    const store = (this.store = view.make(client));
    this.seen = store.arrivals;
    this.off = store.subscribe(() => {
      const n = store.arrivals - this.seen;
      this.seen = store.arrivals;
      this.changed(store, n);
    });
  }

  clear(): void {
    this.off?.();
    if (this.own) this.store?.dispose();
    this.off = this.store = this.key = undefined;
  }
}
