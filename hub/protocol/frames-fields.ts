// The few field shapes every request frame is built of, shared by frames.ts and
// frames-development.ts (a module of its own: frames.ts imports frames-development.ts, and a
// cycle between them would leave these undefined at load).
import { z } from 'zod';

export const id = z.string().min(1).max(200);
export const requestId = z.union([z.string().min(1).max(64), z.number().int()]).transform(String);
export const clientKey = z.string().min(1).max(100);
export const cursor = z.string().max(100);
/** Trimmed, not empty, at most `max` characters. */
export const text = (max: number) => z.string().trim().min(1).max(max);
/** A page's optional `limit`, 1 to `pageSize`. */
export const pageLimit = (pageSize: number) => z.number().int().min(1).max(pageSize).optional();

/** A request frame: its `type`, the client's `id` for the answer, and its fields. */
export const req = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.object({ type: z.literal(type), id: requestId, ...shape });

export const unique = <T>(list: readonly T[]) => new Set(list).size === list.length;

/** Uploads (POST /api/v1/attachments) a record takes: at most `max`, each once. */
export const attachmentIds = (max: number) => z.array(id).max(max).refine(unique, 'each attachment once');
