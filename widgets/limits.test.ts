// The widgets' field limits are the hub's: every `maxlength` in the widgets' sources is a
// constant of hub/protocol/limits.ts (never a number of its own, which drifts: the student
// search once allowed 200 characters where the hub refuses more than 100), and each is
// exactly what the hub's schema of the request that carries the field accepts.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { requestSchemas, type RequestType } from '../hub/protocol/frames.ts';
import { DEVELOPMENT_LIMITS, LIMITS } from '../hub/protocol/limits.ts';

const WIDGETS = path.dirname(fileURLToPath(import.meta.url));
const CONSTANTS: Record<string, Record<string, number>> = { LIMITS, DEVELOPMENT_LIMITS };

/** Each field with a maxlength: the widget's file, the constant it binds, and the request field it fills. */
const FIELDS: { file: string; limit: string; request: RequestType; field: string }[] = [
  { file: 'chat.ts', limit: 'LIMITS.messageBody', request: 'message.send', field: 'body' },
  { file: 'chat.ts', limit: 'LIMITS.messageBody', request: 'message.edit', field: 'body' },
  { file: 'feed.ts', limit: 'LIMITS.messageBody', request: 'message.replyPrivately', field: 'body' },
  { file: 'feed-composer.ts', limit: 'LIMITS.title', request: 'post.create', field: 'title' },
  { file: 'feed-composer.ts', limit: 'LIMITS.title', request: 'mailing.create', field: 'title' },
  { file: 'feed-composer.ts', limit: 'LIMITS.postBody', request: 'post.create', field: 'body' },
  { file: 'feed-composer.ts', limit: 'LIMITS.postBody', request: 'mailing.create', field: 'body' },
  { file: 'new-conversation.ts', limit: 'LIMITS.title', request: 'conversation.start', field: 'subject' },
  { file: 'new-conversation.ts', limit: 'LIMITS.messageBody', request: 'message.send', field: 'body' },
  { file: 'inbox.ts', limit: 'LIMITS.searchQuery', request: 'messages.search', field: 'query' },
  { file: 'development-staff.ts', limit: 'DEVELOPMENT_LIMITS.searchQuery', request: 'students.search', field: 'query' },
  { file: 'documentation-editor.ts', limit: 'DEVELOPMENT_LIMITS.title', request: 'documentation.create', field: 'title' },
  { file: 'documentation-editor.ts', limit: 'DEVELOPMENT_LIMITS.title', request: 'documentation.update', field: 'title' },
  { file: 'documentation-editor.ts', limit: 'DEVELOPMENT_LIMITS.documentationBody', request: 'documentation.create', field: 'body' },
  { file: 'documentation-editor.ts', limit: 'DEVELOPMENT_LIMITS.documentationBody', request: 'documentation.update', field: 'body' },
];

/** The widgets' shipped TypeScript, relative to widgets/ (no tests, no test support). */
function sources(dir = WIDGETS): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'e2e' || e.name === 'node_modules' ? [] : sources(full);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path.relative(WIDGETS, full)] : [];
  });
}

/**
 * Every maxlength in the sources, and every data-limit (a field that counts and refuses
 * instead of cutting: ui/length.ts), as `file: value` (as written: `"200"` or `${LIMITS.title}`).
 */
function maxlengths(): string[] {
  return sources().flatMap((f) => [...readFileSync(path.join(WIDGETS, f), 'utf8').matchAll(/(?:maxlength|data-limit)=("[^"]*"|\$\{[^}]*\}|\S+)/gi)].map((m) => `${f}: ${m[1]}`));
}

function value(limit: string): number | undefined {
  const [set, key] = limit.split('.');
  return CONSTANTS[set ?? '']?.[key ?? ''];
}

describe('the widgets’ field limits are the hub’s', () => {
  it('every maxlength is a constant of hub/protocol/limits.ts, never a number', () => {
    expect(maxlengths().filter((m) => !/: \$\{(LIMITS|DEVELOPMENT_LIMITS)\.\w+\}$/.test(m))).toEqual([]);
  });

  it('every maxlength is listed here with the request field it fills', () => {
    const found = new Set(maxlengths());
    expect(found).toEqual(new Set(FIELDS.map((f) => `${f.file}: \${${f.limit}}`)));
  });

  it.each(FIELDS)('$file: $limit is what $request accepts in `$field`', ({ limit, request, field }) => {
    const max = value(limit);
    expect(max).toBeTypeOf('number');
    const shape: Record<string, z.ZodType> = requestSchemas[request].shape;
    const schema = shape[field];
    expect(schema).toBeDefined();
    expect(schema!.safeParse('x'.repeat(max!)).success).toBe(true);
    expect(schema!.safeParse('x'.repeat(max! + 1)).success).toBe(false);
  });
});
