// Attachments of preschool documentation over HTTP (docs/PROTOCOL.md §9), with the same token
// as the page's WebSocket: `Authorization: Bearer <JWT>`. A plain <img src> carries no token,
// so images are fetched here and shown as blob: URLs (ui/blob-image.ts).
import type { HubClient } from './client.ts';
import type { Attachment } from './development-protocol.ts';

/** The image types the hub accepts (and checks by their bytes); only these become an <img>. */
export const IMAGE_TYPES: readonly string[] = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];
/** Everything the hub accepts as an attachment. */
export const ATTACHMENT_TYPES: readonly string[] = [...IMAGE_TYPES, 'application/pdf'];

export class AttachmentError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The hub's error code (`quota_exceeded`, `storage_full`, …), when it sent one. */
    readonly code = '',
  ) {
    super(message);
  }
}

/**
 * The page's current token, from the shared client: the same token (and the same refresh) as
 * the WebSocket's. `fresh` asks the portal for a new one (after a 401).
 */
export function pageToken(client: HubClient, fresh = false): Promise<string> {
  return client.token(fresh);
}

/** The hub's HTTP origin from the client's WebSocket URL (ws://host/ws → http://host). */
export function hubHttpUrl(client: HubClient, path: string): string {
  const url = new URL(client.url);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  return new URL(path, url.origin).toString();
}

/** The hub's `{"error":{"code","message"}}` as an AttachmentError (the status alone when it is not JSON). */
async function failure(res: Response): Promise<AttachmentError> {
  try {
    const body = (await res.json()) as { error?: { code?: unknown; message?: unknown } };
    const message = typeof body.error?.message === 'string' ? body.error.message : `HTTP ${res.status}`;
    return new AttachmentError(res.status, message, typeof body.error?.code === 'string' ? body.error.code : '');
  } catch {
    return new AttachmentError(res.status, `HTTP ${res.status}`);
  }
}

/** A request with the page's token; once more with a fresh token when the hub answers 401. */
async function withToken(client: HubClient, path: string, init: RequestInit): Promise<Response> {
  const url = hubHttpUrl(client, path);
  const send = async (fresh: boolean) => {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${await pageToken(client, fresh)}`);
    // No cookies: the token is the credential, and the hub never sets any.
    return fetch(url, { ...init, headers, credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer' });
  };
  const res = await send(false);
  return res.status === 401 ? send(true) : res;
}

/**
 * An attachment's bytes as a Blob of the type the hub checked (taken from the answer's
 * Content-Type, never from the file name). Rejects with AttachmentError (403: not for this person).
 */
export async function fetchAttachment(client: HubClient, a: Pick<Attachment, 'id'>, signal?: AbortSignal, thumbnail = false): Promise<Blob> {
  const path = `/api/v1/attachments/${encodeURIComponent(a.id)}${thumbnail ? '?size=thumb' : ''}`;
  const res = await withToken(client, path, { method: 'GET', ...(signal ? { signal } : {}) });
  if (!res.ok) throw await failure(res);
  const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  return new Blob([await res.arrayBuffer()], { type: ATTACHMENT_TYPES.includes(type) ? type : 'application/octet-stream' });
}

/** Uploads a file for a documentation (a preschool teacher), a message or a post; the hub checks its type by its bytes. */
export async function uploadAttachment(client: HubClient, file: File, signal?: AbortSignal, purpose: 'documentation' | 'message' | 'post' = 'documentation'): Promise<Attachment> {
  const path = `/api/v1/attachments?filename=${encodeURIComponent(file.name)}&for=${purpose}`;
  const headers = { 'content-type': file.type || 'application/octet-stream' };
  const res = await withToken(client, path, { method: 'POST', headers, body: file, ...(signal ? { signal } : {}) });
  if (res.status !== 201) throw await failure(res);
  return ((await res.json()) as { attachment: Attachment }).attachment;
}
