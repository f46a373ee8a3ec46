// How a file (an upload taken by a documentation, a message or a post) is shown to its readers.
import type { AttachmentRow, FileFacts } from '../../storage/documentation.ts';

/**
 * A file as every reader of what holds it sees it (documentation, message, post): where to fetch
 * it, and for an image its size and its thumbnail's address (made on upload).
 */
export function attachmentView(a: AttachmentRow | FileFacts) {
  const url = `/api/v1/attachments/${a.id}`;
  const thumbnail = 'thumbnailId' in a ? a.thumbnailId !== null : a.thumbnail;
  return {
    id: a.id, contentType: a.contentType, size: a.size, filename: a.filename, url,
    ...(a.width !== null && a.height !== null ? { width: a.width, height: a.height } : {}),
    ...(thumbnail ? { thumbnailUrl: `${url}?size=thumb` } : {}),
  };
}
