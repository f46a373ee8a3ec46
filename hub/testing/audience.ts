// The audience tests' one check: the read keys and live topics computed for a record must
// agree with the rule, person by person, over a whole directory.
import { liveTopicsFor, liveTopicsOf, readKeysOf } from '../audience.ts';
import type { Directory } from '../directory/model.ts';

/** Whether the two lists share an element. */
export const meets = (a: readonly string[], b: readonly string[]): boolean => {
  const set = new Set(a);
  return b.some((x) => set.has(x));
};

/** Every person whose keys or live topics disagree with the rule; [] when all agree. */
export function disagreements(d: Directory, keys: string[], mayRead: (personId: string) => boolean): string[] {
  const live = liveTopicsFor(d, keys);
  const out: string[] = [];
  for (const personId of d.persons.keys()) {
    const rule = mayRead(personId);
    const byKeys = meets(readKeysOf(d, personId), keys);
    const byLive = meets(liveTopicsOf(d, personId), live);
    if (rule !== byKeys) out.push(`${personId}: rule says ${rule ? 'reads' : 'does not read'}, read keys say ${byKeys ? 'reads' : 'does not read'}`);
    if (rule !== byLive) out.push(`${personId}: rule says ${rule ? 'reads' : 'does not read'}, live topics ${byLive ? 'deliver' : 'do not deliver'}`);
  }
  return out;
}
