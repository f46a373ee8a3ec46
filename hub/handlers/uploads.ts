// Taking uploads (POST /api/v1/attachments) into a record: a documentation, a message or a post.
// One check for all three: the uploads are locked for the write's transaction (two records
// cannot take one), each must be the caller's own, uploaded for this kind of record, and not
// taken yet. Someone else's upload is answered like an unknown one: ids of others are not probed.
import { RequestError } from '../protocol/codes.ts';
import { lockAttachments, type AttachmentPurpose, type AttachmentRow } from '../../storage/documentation.ts';
import type { Tx } from '../../storage/pool.ts';

const FOR: Record<AttachmentPurpose, string> = { documentation: 'a documentation', message: 'a message', post: 'a post' };

export async function takeableUploads(tx: Tx, personId: string, ids: readonly string[], purpose: AttachmentPurpose): Promise<AttachmentRow[]> {
  const found = new Map((await lockAttachments(tx, ids)).map((a) => [a.id, a]));
  return ids.map((id, i) => {
    const a = found.get(id);
    if (!a || a.ownerId !== personId) throw new RequestError('not_found', 'no such attachment of yours', ['attachmentIds', i]);
    if (a.purpose !== purpose) throw new RequestError('invalid', `this file was uploaded for ${FOR[a.purpose]}, not ${FOR[purpose]} (upload it with ?for=${purpose})`, ['attachmentIds', i]);
    if (a.documentationId !== null || a.messageId !== null || a.postId !== null) {
      throw new RequestError('conflict', `this attachment already belongs to ${a.documentationId ? 'a documentation' : a.messageId ? 'a message' : 'a post'}`, ['attachmentIds', i]);
    }
    return a;
  });
}
