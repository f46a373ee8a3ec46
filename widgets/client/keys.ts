// Client keys make creates idempotent (PROTOCOL.md §3): a key is chosen once per item and
// reused on every retry. getRandomValues, unlike randomUUID, also works on plain-http pages.

export function newClientKey(prefix = 'w'): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `${prefix}-${Date.now().toString(36)}-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
