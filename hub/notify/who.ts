// Who is told of a thing (docs/NOTIFICATIONS.md): the people it was sent to who may read it
// now, by the same read keys as live delivery (hub/audience.ts readersOf), against the
// directory as it is at the moment of asking (guardian blocks applied: a blocked guardian holds
// no key through that child). Oversight keys (leaders, admins, readers looking at their school)
// let people read, they do not make a thing sent to them; and nobody is told of their own doing.
import type { Directory } from '../directory/model.ts';
import { readersOf } from '../audience.ts';
import type { NoticeSource } from './source.ts';

/** The people to tell of a thing with these read keys, in id order (expansion resumes by id). */
export function recipientsOf(dir: Directory, src: NoticeSource, keys: readonly string[]): string[] {
  const lookOnly = new Set(src.lookOnly ?? []);
  const out = readersOf(dir, keys.filter((k) => !lookOnly.has(k)), { addressedOnly: true });
  if (src.actorId) out.delete(src.actorId);
  return [...out].sort();
}

/**
 * The recipients of each job, computed once per job and directory version: a district
 * mailing's audience is asked once, not per batch of its expansion or per row of its sends.
 * The most recently used `size` jobs are kept.
 */
export class RecipientCache {
  private readonly cache = new Map<number, { version: number; list: string[]; set: Set<string> }>();
  constructor(private readonly size = 64) {}

  of(dir: Directory, eventId: number, src: NoticeSource, keys: readonly string[]): { list: string[]; set: Set<string> } {
    const hit = this.cache.get(eventId);
    if (hit && hit.version === dir.version) {
      this.cache.delete(eventId);
      this.cache.set(eventId, hit);
      return hit;
    }
    const list = recipientsOf(dir, src, keys);
    const entry = { version: dir.version, list, set: new Set(list) };
    this.cache.delete(eventId);
    this.cache.set(eventId, entry);
    while (this.cache.size > this.size) this.cache.delete(this.cache.keys().next().value!);
    return entry;
  }
}
