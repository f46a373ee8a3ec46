// Reading /metrics as an operator's scraper does: the value of a series in Prometheus text.

/** The value of `name` with exactly these labels (in the order the hub writes them), or undefined. */
export function seriesValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const prefix = `${name}${pairs.length ? `{${pairs.join(',')}}` : ''} `;
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line === undefined ? undefined : Number(line.slice(prefix.length));
}

/** Every series of `name` labelled only by `label`, by that label's value. */
export function seriesBy(text: string, name: string, label: string): Record<string, number> {
  const by: Record<string, number> = {};
  const head = `${name}{${label}="`;
  for (const l of text.split('\n')) {
    if (!l.startsWith(head)) continue;
    const end = l.indexOf('"} ', head.length);
    if (end > 0) by[l.slice(head.length, end)] = Number(l.slice(end + 3));
  }
  return by;
}
