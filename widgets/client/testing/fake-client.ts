// Just enough of HubClient for the store tests: events the test pushes, requests the test
// answers or fails. `Events` is the event map of the stores under test.
export class FakeClient<Events> {
  user = { id: 'me', name: 'Jag', roles: [] };
  status = 'online';
  listeners = new Map<string, ((d: unknown) => void)[]>();
  requests: { type: string; fields: Record<string, unknown>; resolve: (r: unknown) => void; reject: (e: unknown) => void }[] = [];
  on(name: string, fn: (d: unknown) => void) {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), fn]);
    return () => {};
  }
  views(load: () => void) {
    load();
    return this.on('reload', load);
  }
  request(type: string, fields: Record<string, unknown>) {
    return new Promise((resolve, reject) => this.requests.push({ type, fields, resolve, reject }));
  }
  emit<E extends keyof Events & string>(name: E, data: Events[E]) {
    for (const fn of this.listeners.get(name) ?? []) fn(data);
  }
  /** Answers the oldest open request of `type`. */
  answer(type: string, result: unknown) {
    this.take(type).resolve(result);
  }
  /** Fails the oldest open request of `type` with `error`. */
  fail(type: string, error: unknown) {
    this.take(type).reject(error);
  }
  private take(type: string) {
    const i = this.requests.findIndex((r) => r.type === type);
    return this.requests.splice(i, 1)[0]!;
  }
}
