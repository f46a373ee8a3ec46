// How a plan or assignment is shown (docs/PROTOCOL.md: Item): the same to everyone who may read it.
import type { Directory } from '../directory/model.ts';
import type { ItemRow } from '../../storage/items.ts';

export function itemView(dir: Directory, i: ItemRow) {
  return {
    id: i.id, kind: i.kind, groupId: i.groupId, groupName: dir.groups.get(i.groupId)?.name ?? null, schoolId: i.schoolId,
    authorId: i.authorId, authorName: dir.person(i.authorId)?.name ?? 'Unknown',
    title: i.title, description: i.description, subject: i.subject, startsOn: i.startsOn, dueOn: i.dueOn,
    state: i.state, createdAt: i.createdAt, updatedAt: i.updatedAt, publishedAt: i.publishedAt,
  };
}
