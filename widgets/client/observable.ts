// The stores' one notification: "something changed, render again". Widgets read the
// store's fields in render(); a store never hands out copies to keep in sync.

export class Observable {
  private readonly watchers = new Set<() => void>();

  subscribe(fn: () => void): () => void {
    this.watchers.add(fn);
    return () => this.watchers.delete(fn);
  }

  protected changed(): void {
    for (const fn of [...this.watchers]) fn();
  }
}

/** One store per client and key, created on first use (the badge and the inbox share one). */
export function perClient<C extends object, S>(make: (client: C, key: string) => S): (client: C, key?: string) => S {
  const stores = new WeakMap<C, Map<string, S>>();
  return (client, key = '') => {
    let byKey = stores.get(client);
    if (!byKey) stores.set(client, (byKey = new Map()));
    let store = byKey.get(key);
    if (store === undefined) byKey.set(key, (store = make(client, key)));
    return store;
  };
}
