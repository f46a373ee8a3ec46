// A person's export (and the legal holds of retention) finds the person's rows through an index,
// never by reading every conference, form, documentation or directory record of the district
// and testing each (migration 022; loadtest/RESULTS.md, "A person's export by indexes").
// Counted with PostgreSQL's own statistics, as storage/keys-meet.test.ts does for the lists.
import { describe, expect, it } from 'vitest';
import { withCountedReads } from './test-database.ts';
import type { Sql } from './pool.ts';
import { conferenceIdsOf, itemStartsOf } from './items.ts';
import { conferencesOfHeldForms, formsForExport } from './forms.ts';
import { documentationForExport } from './documentation.ts';
import { assessmentsForExport, feedbackForExport } from './development.ts';
import { directoryRecordsOf } from './directory.ts';

const ROWS = 30_000;
const STUDENTS = 10_000;
const GUARDIANS = 15_000;
/** A person's export reads their few rows and the index entries that find them: tens here. */
const BY_INDEX = ROWS / 100;

let sql: Sql;
const readBy = withCountedReads(async (pool) => {
  sql = pool;
  const ago = sql.unsafe(`now() - n * interval '1 minute'`);
  await sql`
    insert into conferences (id, school_id, group_id, mentor_id, student_id, title, starts_at, keys, client_key, created_at)
    select 'cf' || n, 'sc', 'g' || (n % 500), 'm' || (n % 800), 's' || (n % ${STUDENTS}), 't', now(),
      array['p:m' || (n % 800), 'cg:s' || (n % ${STUDENTS})], 'k' || n, ${ago}
    from generate_series(1, ${ROWS}) n`;
  // Each form answered by one guardian on the guardians' side and by the mentor.
  await sql`
    insert into forms (id, conference_id, template_id, school_id, student_id, mentor_id, answers, keys, client_key, created_at)
    select 'fo' || n, 'cf' || n, 'utv', 'sc', 's' || (n % ${STUDENTS}), 'm' || (n % 800),
      jsonb_build_object('home', jsonb_build_object('value', 'svar', 'by', 'gu' || (n % ${GUARDIANS}), 'at', '2026-01-01T00:00:00.000Z'),
                         'school', jsonb_build_object('value', 'svar', 'by', 'm' || (n % 800), 'at', '2026-01-01T00:00:00.000Z')),
      array['p:m' || (n % 800), 'cg:s' || (n % ${STUDENTS})], 'k' || n, ${ago}
    from generate_series(1, ${ROWS}) n`;
  await sql`
    insert into documentation (id, school_id, group_id, author_id, title, body, child_ids, whole_group, keys, client_key, created_at)
    select 'do' || n, 'sc', 'g' || (n % 500), 'a' || (n % 800), 't', 'b', array['s' || (n % ${STUDENTS}), 's' || ((n + 1) % ${STUDENTS})], false,
      array['go:g' || (n % 500), 'cg:s' || (n % ${STUDENTS})], 'k' || n, ${ago}
    from generate_series(1, ${ROWS}) n`;
  await sql`
    insert into assessments (id, school_id, group_id, student_id, author_id, subject, level, state, keys, client_key, created_at)
    select 'as' || n, 'sc', 'g' || (n % 500), 's' || (n % ${STUDENTS}), 'a' || (n % 800), 'MA', 'A', 'published',
      array['go:g' || (n % 500), 'cg:s' || (n % ${STUDENTS})], 'k' || n, ${ago}
    from generate_series(1, ${ROWS}) n`;
  await sql`
    insert into items (id, kind, school_id, group_id, author_id, title, state, keys, client_key, created_at)
    select 'i' || n, 'assignment', 'sc', 'g' || (n % 500), 'a' || (n % 800), 't', 'published', array['go:g' || (n % 500)], 'k' || n, ${ago}
    from generate_series(1, ${ROWS}) n`;
  await sql`
    insert into feedback (id, item_id, school_id, group_id, student_id, author_id, body, state, keys, client_key, created_at)
    select 'f' || n, 'i' || n, 'sc', 'g' || (n % 500), 's' || (n % ${STUDENTS}), 'a' || (n % 800), 'b', 'published',
      array['go:g' || (n % 500), 'cg:s' || (n % ${STUDENTS})], 'k' || n, ${ago}
    from generate_series(1, ${ROWS}) n`;
  await sql`
    insert into conversations (id, creator_id, client_key, direct_key, last_seq)
    select 'd' || n, 'gu' || (n % ${GUARDIANS}), 'k' || n, 'd' || n, 0 from generate_series(1, ${ROWS}) n`;
  await sql`
    insert into item_conversation_starters (teacher_id, person_id, conversation_id)
    select 'a' || (n % 800), 'gu' || (n % ${GUARDIANS}), 'd' || n from generate_series(1, ${ROWS}) n on conflict do nothing`;
  // The directory: people, duties, roles and placements naming a person, groups of 10 members;
  // each record also replaced once (its history).
  await sql`
    insert into directory_records (kind, id, data)
    select 'person', 'gu' || n, jsonb_build_object('id', 'gu' || n) from generate_series(1, ${ROWS}) n
    union all select 'duty', 'du' || n, jsonb_build_object('id', 'du' || n, 'person', jsonb_build_object('id', 'm' || (n % 800))) from generate_series(1, ${ROWS}) n
    union all select 'role', 'ro' || n, jsonb_build_object('id', 'ro' || n, 'person', jsonb_build_object('id', 'gu' || (n % ${GUARDIANS}))) from generate_series(1, ${ROWS}) n
    union all select 'placement', 'pl' || n, jsonb_build_object('id', 'pl' || n, 'child', jsonb_build_object('id', 's' || (n % ${STUDENTS}))) from generate_series(1, ${ROWS}) n
    union all select 'group', 'gr' || n, jsonb_build_object('id', 'gr' || n, 'displayName', 'G' || n, 'groupMemberships',
      (select jsonb_agg(jsonb_build_object('person', jsonb_build_object('id', 's' || ((n * 10 + j) % ${STUDENTS})))) from generate_series(0, 9) j))
      from generate_series(1, ${ROWS / 10}) n`;
  await sql`insert into directory_history (kind, id, data) select kind, id, data from directory_records`;
  await sql`vacuum analyze`;
}, 180_000);

describe("a person's export", () => {
  it("reads a student's conferences, documentation, assessments and feedback by indexes", async () => {
    const [want] = await sql<{ conferences: string[]; docs: string[] }[]>`
      select array(select id from conferences where student_id = 's7' order by created_at, id) as conferences,
             array(select id from documentation where 's7' = any(child_ids) order by created_at, id) as docs`;
    expect(want!.conferences.length).toBeGreaterThan(1);
    expect(want!.docs.length).toBeGreaterThan(2);
    expect(await conferenceIdsOf(sql, 's7', [])).toEqual(want!.conferences);
    expect((await documentationForExport(sql, 's7', [], [])).map((d) => d.id)).toEqual(want!.docs);
    expect(await readBy('conferences', () => conferenceIdsOf(sql, 's7', []))).toBeLessThan(BY_INDEX);
    expect(await readBy('documentation', () => documentationForExport(sql, 's7', [], []))).toBeLessThan(BY_INDEX);
    expect(await readBy('assessments', () => assessmentsForExport(sql, 's7', ['s7'], ['cg:s7']))).toBeLessThan(BY_INDEX);
    expect(await readBy('feedback', () => feedbackForExport(sql, 's7', ['s7'], ['cg:s7']))).toBeLessThan(BY_INDEX);
  });

  it('finds the forms a guardian answered, without reading every form', async () => {
    const [want] = await sql<{ ids: string[] }[]>`
      select array(select f.id from forms f where f.answers->'home'->>'by' = 'gu7' order by created_at, id) as ids`;
    expect(want!.ids.length).toBeGreaterThan(1);
    // No child and no keys: only their own answers find these forms.
    expect((await formsForExport(sql, 'gu7', ['gu7'], [])).map((f) => f.id)).toEqual(want!.ids);
    expect(await readBy('forms', () => formsForExport(sql, 'gu7', ['gu7'], []))).toBeLessThan(BY_INDEX);
  });

  it('reads the plan conversations a guardian started by an index', async () => {
    const starts = await itemStartsOf(sql, 'gu7');
    expect(starts.length).toBeGreaterThan(0);
    expect(starts.every((s) => s.personId === 'gu7')).toBe(true);
    expect(await readBy('item_conversation_starters', () => itemStartsOf(sql, 'gu7'))).toBeLessThan(BY_INDEX);
  });

  it("reads the person's directory records, their history and their group memberships by indexes", async () => {
    const guardian = await directoryRecordsOf(sql, 'gu7');
    expect(guardian.records.map((r) => `${r.kind}:${r.id}`)).toEqual(['person:gu7', 'role:ro15007', 'role:ro7']);
    expect(guardian.history).toHaveLength(3);
    const student = await directoryRecordsOf(sql, 's7');
    expect(student.records.map((r) => `${r.kind}:${r.id}`).sort()).toEqual(['placement:pl10007', 'placement:pl20007', 'placement:pl7']);
    expect(student.groupMemberships.map((m) => m.groupId).sort()).toEqual(['gr1000', 'gr2000', 'gr3000']);
    expect(await readBy('directory_records', () => directoryRecordsOf(sql, 's7'))).toBeLessThan(BY_INDEX);
    expect(await readBy('directory_history', () => directoryRecordsOf(sql, 's7'))).toBeLessThan(BY_INDEX);
  });
});

describe('the legal holds of retention', () => {
  it("find the conferences of forms a held guardian answered, without reading every form", async () => {
    const [want] = await sql<{ ids: string[] }[]>`
      select array(select distinct conference_id from forms f where f.answers->'home'->>'by' = any(array['gu7', 'gu8']) order by 1) as ids`;
    expect(want!.ids.length).toBeGreaterThan(2);
    expect((await conferencesOfHeldForms(sql, [], ['gu7', 'gu8'])).sort()).toEqual(want!.ids);
    expect(await readBy('forms', () => conferencesOfHeldForms(sql, [], ['gu7', 'gu8']))).toBeLessThan(BY_INDEX);
  });
});
