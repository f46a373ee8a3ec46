// documentation.dashboard (docs/DOMAIN.md §4, reader): a school's preschool documentation, newest
// first and paged, optionally of one child group, with a summary of the curriculum goals worked
// on over the same filter. Who may open it is the rules' (canOpenDocumentationDashboard); each
// documentation is then shown as documentation.get shows it to the caller, and audited alike.
import { can, canReadDocumentation, dashboardSchoolsOf } from '../rules/index.ts';
import { readKeysOf } from '../audience.ts';
import { RequestError } from '../protocol/codes.ts';
import { DEVELOPMENT_LIMITS } from '../protocol/limits.ts';
import type { Directory } from '../directory/model.ts';
import { documentationGoals, documentationPage } from '../../storage/documentation.ts';
import type { Handler } from './context.ts';
import { nextCursor, pageBefore } from './paging.ts';
import { childrenShownTo } from '../views/development.ts';
import { assertAllowed } from './rights.ts';
import { viewFor } from './documentation.ts';
import { audit } from '../audit.ts';

interface Named {
  id: string;
  name: string;
}

const byName = (a: Named, b: Named) => a.name.localeCompare(b.name, 'sv') || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The school's child groups (the dashboard's filter), by name. */
function childGroupsOf(dir: Directory, schoolId: string): Named[] {
  const out: Named[] = [];
  for (const g of dir.groups.values()) if (g.schoolId === schoolId && g.kind === 'preschool') out.push({ id: g.id, name: g.name });
  return out.sort(byName);
}

export const getDocumentationDashboard: Handler<'documentation.dashboard'> = async (ctx, req) => {
  const { dir, personId } = ctx;
  const schools = dashboardSchoolsOf(dir, personId).map((id) => ({ id, name: dir.schools.get(id)?.name ?? id })).sort(byName);
  // Without a schoolId: the first school with child groups (a reader of a school and a preschool
  // most likely means the preschool), else the first.
  const schoolId = req.schoolId ?? (schools.find((s) => childGroupsOf(dir, s.id).length > 0) ?? schools[0])?.id;
  if (schoolId === undefined) throw new RequestError('forbidden', "only a school's reader sees the documentation dashboard", ['schoolId']);
  assertAllowed(can(dir, personId, { type: 'documentation.dashboard', schoolId, groupId: req.groupId }));
  const limit = req.limit ?? 30;
  const before = pageBefore(req.before);
  const keys = readKeysOf(dir, personId);
  const filter = { schoolId, groupId: req.groupId };
  const [rows, summary] = await Promise.all([
    documentationPage(ctx.sql, keys, filter, limit, before),
    documentationGoals(ctx.sql, keys, filter, DEVELOPMENT_LIMITS.dashboardGoals),
  ]);
  // The reader reads all of the school's; the filter keeps this answer to the rule all the same.
  const shown = rows.filter((d) => canReadDocumentation(dir, personId, d));
  audit(ctx, 'documentation.dashboard', () => shown.map((d) => ({ about: childrenShownTo(dir, personId, d), ids: [d.id] })));
  return {
    school: { id: schoolId, name: dir.schools.get(schoolId)?.name ?? schoolId },
    schools,
    groups: childGroupsOf(dir, schoolId),
    total: summary.total,
    goals: summary.goals,
    documentation: await viewFor(ctx, shown),
    next: nextCursor(rows, limit),
  };
};
