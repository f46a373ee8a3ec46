// Preschool documentation (DOMAIN.md §4): documentation.create, documentation.update,
// documentation.get, group.documentation.get. A preschool teacher documents the child group
// or chosen children with text, the curriculum goals worked on, and uploaded attachments
// (hub/attachments-http.ts). The staff who see it get it with every child named; the
// guardians of each child get it naming only their child.
import { can, canReadDocumentation } from '../rules/index.ts';
import { key, readKeysOf } from '../audience.ts';
import { documentationKeys, documentationStaffKeys } from '../audience-development.ts';
import { RequestError } from '../protocol/codes.ts';
import type { Directory } from '../directory/model.ts';
import type { NewEvent } from '../../storage/events.ts';
import {
  attachmentsOf, documentationPage, findDocumentationByKey, getDocumentation, insertDocumentation, linkAttachments, lockAttachments,
  lockDocumentation, updateDocumentation, type AttachmentRow, type DocumentationFields, type DocumentationRow,
} from '../../storage/documentation.ts';
import { isUniqueViolation, newId, type Handler, type HandlerContext } from './context.ts';
import { decodePageCursor, encodePageCursor } from './paging.ts';
import { childrenShownTo, decide, documentationView } from './development-views.ts';
import { audit } from '../privacy/audit.ts';

const noSuchDocumentation = () => new RequestError('not_found', 'no such documentation', ['documentationId']);

/** One event for the staff, one per child for that child's guardians (never naming another child). */
function documentationEvents(dir: Directory, name: string, d: DocumentationRow, attachments: readonly AttachmentRow[]): NewEvent[] {
  return [
    { name, keys: documentationStaffKeys(d), data: { documentation: documentationView(dir, d, attachments, d.childIds) } },
    ...d.childIds.map((c) => ({ name, keys: [key.childGuardians(c)], data: { documentation: documentationView(dir, d, attachments, [c]) } })),
  ];
}

function sameCreate(stored: DocumentationRow, req: { groupId: string; title: string; body: string }): void {
  if (stored.groupId !== req.groupId || stored.title !== req.title || stored.body !== req.body) {
    throw new RequestError('conflict', 'this clientKey was already used for different documentation', ['clientKey']);
  }
}

/** The documentation as the caller sees it, with its attachments (one query for the page). */
export async function viewFor(ctx: Pick<HandlerContext, 'sql' | 'dir' | 'personId'>, rows: readonly DocumentationRow[]) {
  const attachments = await attachmentsOf(ctx.sql, rows.map((d) => d.id));
  return rows.map((d) => documentationView(ctx.dir, d, attachments.get(d.id) ?? [], childrenShownTo(ctx.dir, ctx.personId, d)));
}

export const createDocumentation: Handler<'documentation.create'> = async (ctx, req) => {
  const { dir, personId } = ctx;
  const prior = await findDocumentationByKey(ctx.sql, personId, req.clientKey);
  if (prior) {
    sameCreate(prior, req);
    return { documentation: (await viewFor(ctx, [prior]))[0] };
  }
  decide(can(dir, personId, { type: 'documentation.create', documentation: { groupId: req.groupId, childIds: req.childIds } }));
  const group = dir.groups.get(req.groupId)!;
  // The whole group means its children now: a child who joins later is not in what was written before.
  const childIds = req.childIds ? [...req.childIds] : [...group.members].sort();
  const attachmentIds = req.attachmentIds ?? [];
  const keys = documentationKeys({ groupId: group.id, schoolId: group.schoolId, childIds });
  try {
    const result = await ctx.publisher.write(async (tx) => {
      const found = new Map((await lockAttachments(tx, attachmentIds)).map((a) => [a.id, a]));
      const attachments = attachmentIds.map((id, i) => {
        const a = found.get(id);
        // Someone else's upload is answered like an unknown one: ids of others are not probed.
        if (!a || a.ownerId !== personId) throw new RequestError('not_found', 'no such attachment of yours', ['attachmentIds', i]);
        if (a.documentationId !== null) throw new RequestError('conflict', 'this attachment already belongs to a documentation', ['attachmentIds', i]);
        return a;
      });
      const d = await insertDocumentation(tx, {
        id: newId('doc'), schoolId: group.schoolId, groupId: group.id, authorId: personId, title: req.title, body: req.body,
        goals: req.goals ?? [], childIds, wholeGroup: req.childIds === undefined, keys, clientKey: req.clientKey,
      });
      await linkAttachments(tx, attachmentIds, d.id);
      const linked = attachments.map((a) => ({ ...a, documentationId: d.id }));
      return { result: { d, linked }, events: documentationEvents(dir, 'documentation.created', d, linked) };
    });
    return { documentation: documentationView(dir, result.d, result.linked, childrenShownTo(dir, personId, result.d)) };
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    const raced = await findDocumentationByKey(ctx.sql, personId, req.clientKey);
    if (!raced) throw e;
    sameCreate(raced, req);
    return { documentation: (await viewFor(ctx, [raced]))[0] };
  }
};

export const updateOneDocumentation: Handler<'documentation.update'> = async (ctx, req) => {
  const { dir, personId } = ctx;
  const row = await ctx.publisher.write(async (tx) => {
    const d = await lockDocumentation(tx, req.documentationId);
    if (!d) throw noSuchDocumentation();
    decide(can(dir, personId, { type: 'documentation.change', documentation: d }));
    const next: DocumentationFields = { title: req.title ?? d.title, body: req.body ?? d.body, goals: req.goals ?? d.goals };
    if (next.title === d.title && next.body === d.body && next.goals.join('\u0000') === d.goals.join('\u0000')) return { result: d, events: [] };
    const changed = await updateDocumentation(tx, d.id, next);
    const attachments = (await attachmentsOf(tx, [d.id])).get(d.id) ?? [];
    return { result: changed, events: documentationEvents(dir, 'documentation.updated', changed, attachments) };
  });
  return { documentation: (await viewFor(ctx, [row]))[0] };
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
  const limit = req.limit ?? 30;
  const before = req.before === undefined ? undefined : decodePageCursor(req.before, ['before']);
  const filter = { groupId: req.groupId, childIds: req.childId === undefined ? undefined : [req.childId] };
  const rows = await documentationPage(ctx.sql, readKeysOf(dir, personId), filter, limit, before);
  const last = rows[rows.length - 1];
  const shown = rows.filter((d) => canReadDocumentation(dir, personId, d));
  audit(ctx, 'group.documentation.get', () => shown.map((d) => ({ about: childrenShownTo(dir, personId, d), ids: [d.id] })));
  return {
    documentation: await viewFor(ctx, shown),
    next: rows.length === limit && last ? encodePageCursor(last.createdAt, last.id) : null,
  };
};
