// Preschool documentation (docs/DOMAIN.md §4): documentation.create, documentation.update,
// documentation.get, group.documentation.get. A preschool teacher documents the child group
// or chosen children with text, the curriculum goals worked on, and uploaded attachments
// (hub/attachments/http.ts). The staff who see it get it with every child named; the
// guardians of each child get it naming only their child.
import { can, canReadDocumentation } from '../rules/index.ts';
import { key, readKeysOf } from '../audience.ts';
import { documentationKeys, documentationStaffKeys } from '../audience-development.ts';
import { RequestError } from '../protocol/codes.ts';
import type { Directory } from '../directory/model.ts';
import type { NewEvent } from '../../storage/events.ts';
import type { Tx } from '../../storage/pool.ts';
import {
  attachmentsOf, deleteDocumentationAttachments, documentationPage, findDocumentationByKey, getDocumentation, insertDocumentation, linkAttachments,
  lockDocumentation, updateDocumentation, type AttachmentRow, type DocumentationFields, type DocumentationRow,
} from '../../storage/documentation.ts';
import { newId, type Handler, type HandlerContext } from './context.ts';
import { assertAllowed, assertKnown } from './rights.ts';
import { createOnce } from './create-once.ts';
import { readPage } from './paging.ts';
import { childrenShownTo, documentationView } from '../views/development.ts';
import { audit } from '../audit.ts';
import { takeableUploads } from './uploads.ts';

const noSuchDocumentation = () => new RequestError('not_found', 'no such documentation', ['documentationId']);

/** One event for the staff, one per child for that child's guardians (never naming another child). */
function documentationEvents(dir: Directory, name: string, d: DocumentationRow, attachments: readonly AttachmentRow[]): NewEvent[] {
  return [
    { name, keys: documentationStaffKeys(d), data: { documentation: documentationView(dir, d, attachments, d.childIds) } },
    ...d.childIds.map((c) => ({ name, keys: [key.childGuardians(c)], data: { documentation: documentationView(dir, d, attachments, [c]) } })),
  ];
}

/** The documentation as the caller sees it, with its attachments (one query for the page). */
export async function viewFor(ctx: Pick<HandlerContext, 'sql' | 'dir' | 'personId'>, rows: readonly DocumentationRow[]) {
  const attachments = await attachmentsOf(ctx.sql, rows.map((d) => d.id));
  return rows.map((d) => documentationView(ctx.dir, d, attachments.get(d.id) ?? [], childrenShownTo(ctx.dir, ctx.personId, d)));
}

export const createDocumentation: Handler<'documentation.create'> = async (ctx, req) => {
  const { dir, personId } = ctx;
  return createOnce({
    find: () => findDocumentationByKey(ctx.sql, personId, req.clientKey),
    same: (stored) => stored.groupId === req.groupId && stored.title === req.title && stored.body === req.body,
    what: 'different documentation',
    answer: async (stored) => ({ documentation: (await viewFor(ctx, [stored]))[0] }),
    create: async () => {
      assertKnown(dir, personId, [{ kind: 'group', id: req.groupId, path: ['groupId'] }]);
      assertAllowed(can(dir, personId, { type: 'documentation.create', documentation: { groupId: req.groupId, childIds: req.childIds } }));
      const group = dir.groups.get(req.groupId)!;
      // The whole group means its children now: a child who joins later is not in what was written before.
      const childIds = req.childIds ? [...req.childIds] : [...group.members].sort();
      const attachmentIds = req.attachmentIds ?? [];
      const keys = documentationKeys({ groupId: group.id, schoolId: group.schoolId, childIds });
      const result = await ctx.publisher.write(async (tx) => {
        const attachments = await takeableUploads(tx, personId, attachmentIds, 'documentation');
        const d = await insertDocumentation(tx, {
          id: newId('doc'), schoolId: group.schoolId, groupId: group.id, authorId: personId, title: req.title, body: req.body,
          goals: req.goals ?? [], childIds, wholeGroup: req.childIds === undefined, keys, clientKey: req.clientKey,
        });
        await linkAttachments(tx, attachmentIds, { documentationId: d.id });
        const linked = attachments.map((a) => ({ ...a, documentationId: d.id }));
        return { result: { d, linked }, events: documentationEvents(dir, 'documentation.created', d, linked) };
      });
      return { documentation: documentationView(dir, result.d, result.linked, childrenShownTo(dir, personId, result.d)) };
    },
  });
};

/**
 * The attachments `wanted` after an update, checked against those `current`ly on the
 * documentation: ids already on it stay (whoever uploaded them); new ones must be the caller's
 * own uploads not in any documentation, with documentation.create's answers. Only reads and
 * throws: the caller writes after it.
 */
async function attachmentChange(tx: Tx, personId: string, current: readonly AttachmentRow[], wanted: readonly string[]) {
  const on = new Set(current.map((a) => a.id));
  const added = wanted.filter((id) => !on.has(id));
  await takeableUploads(tx, personId, added, 'documentation').catch((e: unknown) => {
    // The path names the field in the request, where `added` left out those already on it.
    if (e instanceof RequestError && typeof e.path?.[1] === 'number') throw new RequestError(e.code, e.message, ['attachmentIds', wanted.indexOf(added[e.path[1]]!)]);
    throw e;
  });
  const keep = new Set(wanted);
  return { added, removed: current.filter((a) => !keep.has(a.id)).map((a) => a.id) };
}

export const updateOneDocumentation: Handler<'documentation.update'> = async (ctx, req) => {
  const { dir, personId } = ctx;
  const out = await ctx.publisher.write(async (tx) => {
    const d = await lockDocumentation(tx, req.documentationId);
    if (!d) throw noSuchDocumentation();
    assertAllowed(can(dir, personId, { type: 'documentation.change', documentation: d }));
    const current = (await attachmentsOf(tx, [d.id])).get(d.id) ?? [];
    const { added, removed } = req.attachmentIds ? await attachmentChange(tx, personId, current, req.attachmentIds) : { added: [], removed: [] };
    const next: DocumentationFields = { title: req.title ?? d.title, body: req.body ?? d.body, goals: req.goals ?? d.goals };
    const sameText = next.title === d.title && next.body === d.body && next.goals.join('\u0000') === d.goals.join('\u0000');
    if (sameText && added.length === 0 && removed.length === 0) return { result: { d, attachments: current, deleted: [] as string[] }, events: [] };
    // Every check is done: only writes from here on (hub/publisher.ts).
    const changed = await updateDocumentation(tx, d.id, next);
    await linkAttachments(tx, added, { documentationId: d.id });
    const deleted = await deleteDocumentationAttachments(tx, d.id, removed);
    const attachments = (await attachmentsOf(tx, [d.id])).get(d.id) ?? [];
    return { result: { d: changed, attachments, deleted }, events: documentationEvents(dir, 'documentation.updated', changed, attachments) };
  });
  // Committed: the rows are gone, so nobody is served these files any more. Removing them
  // before the commit would lose them if it failed; a removal failing now leaves a file without
  // a row, which the retention job's sweep of files without rows (hub/privacy/sources.ts) removes.
  for (const id of out.deleted) {
    await ctx.attachmentFiles.remove(id).catch((e: unknown) => ctx.log(`documentation.update: could not remove the file of ${id}`, e));
  }
  return { documentation: documentationView(dir, out.d, out.attachments, childrenShownTo(dir, personId, out.d)) };
};

export const getOneDocumentation: Handler<'documentation.get'> = async (ctx, req) => {
  const d = await getDocumentation(ctx.sql, req.documentationId);
  if (!d || !canReadDocumentation(ctx.dir, ctx.personId, d)) throw noSuchDocumentation();
  audit(ctx, 'documentation.get', () => [{ about: childrenShownTo(ctx.dir, ctx.personId, d), ids: [d.id] }]);
  return { documentation: (await viewFor(ctx, [d]))[0] };
};

/** A child group's documentation that the caller sees (a guardian: what concerns their child), newest first. */
export const getGroupDocumentation: Handler<'group.documentation.get'> = async (ctx, req) => {
  const { dir, personId } = ctx;
  const filter = { groupId: req.groupId, childIds: req.childId === undefined ? undefined : [req.childId] };
  const { shown, next } = await readPage(
    req, (limit, before) => documentationPage(ctx.sql, readKeysOf(dir, personId), filter, limit, before), (d) => canReadDocumentation(dir, personId, d));
  audit(ctx, 'group.documentation.get', () => shown.map((d) => ({ about: childrenShownTo(dir, personId, d), ids: [d.id] })));
  return {
    documentation: await viewFor(ctx, shown),
    next,
  };
};
