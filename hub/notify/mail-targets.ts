// Where a person's e-mail goes: an address of theirs from the directory import (SS 12000
// `Person.emails`, docs/DIRECTORY-IMPORT.md), their name as the directory has it now, and the
// language of their preferences. The outbox asks this at send time, so an address changed or
// removed by an import is used or dropped from the next send on.
import { z } from 'zod';
import type { Db } from '../../storage/pool.ts';
import { personEmails } from '../../storage/directory.ts';
import { preferencesOf } from '../../storage/notification-preferences.ts';
import type { Directory } from '../directory/model.ts';
import type { MailTarget } from './channel.ts';

// One plain address (no display name, list, comment or line break): what the import holds is
// data from another system, and an address that is really two would send to both.
const addressSchema = z.email().max(254);

export function isMailAddress(s: string): boolean {
  return addressSchema.safeParse(s).success;
}

/** SS 12000 e-mail types, as schools' systems write them: a school or work address, or a private one. */
const SCHOOL = /skola|arbete|tjänst|work|school/i;
const PRIVATE = /privat|private|home|hem/i;

/**
 * The address to use of a person's list. A guardian is written to privately first (what their
 * child's school sends is their private matter), everyone else at school or work first; then
 * the other of the two; then an address of another or no type. In each, the directory's order.
 * Addresses that are not one plain address are passed over.
 */
export function chooseAddress(emails: readonly { value: string; type?: string | undefined }[], guardian: boolean): string | undefined {
  const usable = emails.filter((e) => isMailAddress(e.value));
  const rank = (type: string | undefined) => {
    const school = type !== undefined && SCHOOL.test(type);
    const priv = type !== undefined && PRIVATE.test(type);
    if (guardian ? priv : school) return 0;
    if (guardian ? school : priv) return 1;
    return 2;
  };
  return [...usable].sort((a, b) => rank(a.type) - rank(b.type))[0]?.value;
}

/** Each person (of those asked for) who is in the directory and has a usable address: where to write. */
export async function mailTargetsOf(db: Db, directory: Directory, personIds: readonly string[]): Promise<Map<string, MailTarget>> {
  const known = personIds.filter((id) => directory.person(id) !== undefined);
  const [emails, prefs] = await Promise.all([personEmails(db, known), preferencesOf(db, known)]);
  const out = new Map<string, MailTarget>();
  for (const personId of known) {
    const address = chooseAddress(emails.get(personId) ?? [], directory.childrenOf(personId).size > 0);
    if (!address) continue;
    out.set(personId, { personId, name: directory.person(personId)!.name, address, language: prefs.get(personId)?.language ?? 'sv' });
  }
  return out;
}
