// How posts and mailings are shown (docs/PROTOCOL.md: Post, Mailing): the same to every
// reader, so their events carry one view.
import type { PostAudience } from '../rules/index.ts';
import type { Directory } from '../directory/model.ts';
import type { MailingRow, PostRow } from '../../storage/feed.ts';
import type { ScheduledRow } from '../../storage/scheduled.ts';
import { askView } from './post-answers.ts';
import { attachmentView } from './files.ts';

/**
 * A post as every reader sees it. The chosen members of a part-of-group post are left out:
 * one family must not learn which other children were addressed.
 */
export function postView(dir: Directory, p: PostRow) {
  const audience = p.audience as PostAudience;
  return {
    id: p.id,
    schoolId: p.schoolId,
    authorId: p.authorId,
    authorName: dir.person(p.authorId)?.name ?? 'Unknown',
    title: p.title,
    body: p.body,
    audience: {
      targets: audience.targets.map((t) =>
        t.kind === 'group'
          ? { kind: 'group', groupId: t.groupId, groupName: dir.groups.get(t.groupId)?.name ?? null, part: t.memberIds !== undefined }
          : t.kind === 'school'
            ? { kind: 'school' }
            : { kind: 'person' },
      ),
      recipients: audience.recipients,
    },
    urgent: p.urgent,
    ask: askView(p.ask),
    files: p.files.map(attachmentView),
    createdAt: p.createdAt,
  };
}

export function mailingView(dir: Directory, m: MailingRow) {
  return {
    id: m.id,
    districtId: m.districtId,
    schoolIds: m.schoolIds,
    authorId: m.authorId,
    authorName: dir.person(m.authorId)?.name ?? 'Unknown',
    title: m.title,
    body: m.body,
    recipients: m.recipients,
    createdAt: m.createdAt,
  };
}

/**
 * A scheduled post or mailing as its author sees it (nobody else sees it before its time):
 * its state and time, and what will be published (`item`: the create request's fields).
 */
export function scheduledView(s: ScheduledRow) {
  return {
    id: s.id,
    kind: s.kind,
    state: s.state,
    publishAt: s.publishAt,
    item: s.request,
    publishedId: s.publishedId,
    failure: s.failure,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}
