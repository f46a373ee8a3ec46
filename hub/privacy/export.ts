// The per-person export (GDPR art. 15): everything stored about one person, gathered from
// every source in hub/privacy/sources.ts, shown as that person may see it (other people's
// protected identities stay hidden; a blocked guardian gets nothing of that child).
import type { HubCore } from '../core.ts';
import { readKeysOf } from '../audience.ts';
import { showTo } from '../views/chat.ts';
import { personExists } from '../../storage/directory.ts';
import { privacySources, type ExportScope } from './sources.ts';

/** The actor recorded in the audit log for reads made through the admin API. */
export const ADMIN_ACTOR = 'admin-api';

export interface PersonExport {
  personId: string;
  exportedAt: string;
  /** One entry per source, by its name. */
  data: Record<string, unknown>;
}

/** undefined: no such person was ever imported. */
export async function exportPerson(core: Pick<HubCore, 'sql' | 'directory' | 'links' | 'auditLog'>, personId: string): Promise<PersonExport | undefined> {
  const dir = core.directory();
  if (!dir.person(personId) && !(await personExists(core.sql, personId))) return undefined;
  const scope: ExportScope = { sql: core.sql, dir, personId, readKeys: readKeysOf(dir, personId), show: showTo(dir, personId), links: core.links };
  const exportedAt = new Date();
  const data: Record<string, unknown> = {};
  for (const source of privacySources) data[source.name] = await source.export(scope);
  // An export is a read of everything about a person: always logged (after gathering, so
  // that it is not part of itself).
  core.auditLog.add([{ at: exportedAt, actorId: ADMIN_ACTOR, operation: 'export', subjectId: personId, recordIds: [] }]);
  return { personId, exportedAt: exportedAt.toISOString(), data };
}
