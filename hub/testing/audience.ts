// The audience tests' one check: the read keys, live topics and readers computed for a record must
// agree with the rule, person by person, over a whole directory.
import { expect, it } from 'vitest';
import { liveTopicsFor, liveTopicsOf, readersOf, readKeysOf } from '../audience.ts';
import type { DirectoryRecords } from '../directory/build.ts';
import type { Directory } from '../directory/model.ts';

/** Whether the two lists share an element. */
export const meets = (a: readonly string[], b: readonly string[]): boolean => {
  const set = new Set(a);
  return b.some((x) => set.has(x));
};

/** Every person whose keys or live topics disagree with the rule; [] when all agree. */
export function disagreements(d: Directory, keys: string[], mayRead: (personId: string) => boolean): string[] {
  const live = liveTopicsFor(d, keys);
  const readers = readersOf(d, keys);
  const out: string[] = [];
  for (const personId of d.persons.keys()) {
    const rule = mayRead(personId);
    const byKeys = meets(readKeysOf(d, personId), keys);
    const byLive = meets(liveTopicsOf(d, personId), live);
    if (rule !== byKeys) out.push(`${personId}: rule says ${rule ? 'reads' : 'does not read'}, read keys say ${byKeys ? 'reads' : 'does not read'}`);
    if (rule !== byLive) out.push(`${personId}: rule says ${rule ? 'reads' : 'does not read'}, live topics ${byLive ? 'deliver' : 'do not deliver'}`);
    // readersOf (notifications) is the same audience seen from the record's side.
    if (rule !== readers.has(personId)) out.push(`${personId}: rule says ${rule ? 'reads' : 'does not read'}, readersOf ${readers.has(personId) ? 'includes' : 'leaves out'}`);
  }
  return out;
}

/** The directory as imported and after each change, named for describe.each: `[['as imported', asImported], [change, build(edit)], …]`. */
export function directoriesAfter(
  asImported: Directory,
  build: (edit: (records: DirectoryRecords) => void) => Directory,
  changes: Record<string, (records: DirectoryRecords) => void>,
): [string, Directory][] {
  return [['as imported', asImported], ...Object.entries(changes).map(([name, edit]): [string, Directory] => [name, build(edit)])];
}

/** One test per record, named by `name` (with %s for the record's name): its keys agree with the rule over `d`. */
export function eachAgrees<R>(
  d: Directory,
  name: string,
  records: Record<string, R>,
  keysOf: (record: R) => string[],
  mayRead: (d: Directory, personId: string, record: R) => boolean,
): void {
  it.each(Object.entries(records))(name, (_, record) => {
    expect(disagreements(d, keysOf(record), (personId) => mayRead(d, personId, record))).toEqual([]);
  });
}
