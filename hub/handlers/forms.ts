// Forms in development conferences (docs/DOMAIN.md §8): form.templates.get, form.add, form.fill,
// form.get, conference.forms.get, and the release when the mentor closes the conference.
// Until then each side (student, guardians, mentor) sees and receives only its own fields,
// the mentor all of them; at the close every filled-in form goes to the student and the
// guardians as `form.released`.
import {
  FORM_SIDES, FORM_TEMPLATES, can, formSideOf, formSidesFor, formTemplate, type FormSide,
} from '../rules/index.ts';
import { key, readKeysOf } from '../audience.ts';
import { formKeys, formSideKeys, formStaffKeys } from '../audience-development.ts';
import { RequestError } from '../protocol/codes.ts';
import type { Directory } from '../directory/model.ts';
import type { Tx } from '../../storage/pool.ts';
import type { NewEvent } from '../../storage/events.ts';
import { getConference, type ConferenceRow } from '../../storage/items.ts';
import {
  conferenceStateForShare, fillForm, findFormByKey, findFormOfTemplate, formsOfConference, formsPage, getForm, insertForm, type Answer, type FormRow,
} from '../../storage/forms.ts';
import { newId, type Handler } from './context.ts';
import { formView, storedForm } from '../views/development.ts';
import { assertAllowed } from './rights.ts';
import { createOnce, orWinner } from './create-once.ts';
import { showAll, showTo, type Shown } from '../views/chat.ts';
import { audit } from '../audit.ts';

const noSuchForm = () => new RequestError('not_found', 'no such form', ['formId']);
const closedConflict = () => new RequestError('conflict', 'the conference is closed: its forms are final', ['formId']);

/**
 * Whose name an answer carries in what goes to the family: not a protected guardian's (hidden
 * from the rest of the family, docs/DOMAIN.md "Protected identities"); the student is always shown to their own family.
 */
const familyShow = (dir: Directory, f: FormRow): Shown => (p) => p === f.studentId || !dir.person(p)?.protected;

/** The form as `viewer` sees it now. */
function viewFor(dir: Directory, viewer: string, f: FormRow) {
  return formView(dir, f, formSidesFor(dir, viewer, storedForm(f)), showTo(dir, viewer));
}

/** Staff who see every side (the mentor, the student card's readers) get every field; each other side the fields meant for it. */
function sideEvents(dir: Directory, name: string, f: FormRow, sides: readonly FormSide[]): NewEvent[] {
  const events: NewEvent[] = [{ name, keys: formStaffKeys(f), data: { form: formView(dir, f, FORM_SIDES, showAll) } }];
  for (const side of sides) {
    if (side === 'mentor') continue;
    events.push({ name, keys: formSideKeys(side, f), data: { form: formView(dir, f, [side], familyShow(dir, f)) } });
  }
  return events;
}

export const getFormTemplates: Handler<'form.templates.get'> = async () => ({ templates: FORM_TEMPLATES });

export const addForm: Handler<'form.add'> = async (ctx, req) => {
  const { dir, personId } = ctx;
  return createOnce({
    find: () => findFormByKey(ctx.sql, personId, req.clientKey),
    same: (stored) => stored.conferenceId === req.conferenceId && stored.templateId === req.templateId,
    what: 'a different form',
    answer: (stored) => ({ form: viewFor(dir, personId, stored) }),
    create: async () => {
      const c = await getConference(ctx.sql, req.conferenceId);
      if (!c) throw new RequestError('not_found', 'no such conference', ['conferenceId']);
      assertAllowed(can(dir, personId, { type: 'form.add', conference: c }));
      if (!formTemplate(req.templateId)) throw new RequestError('invalid', `no such form template; one of: ${FORM_TEMPLATES.map((t) => t.id).join(', ')}`, ['templateId']);
      // One form per template and conference: adding it again answers the one there is, also
      // when another add of it wins the race on that unique index.
      const existing = async () => {
        const f = await findFormOfTemplate(ctx.sql, c.id, req.templateId);
        return f && { form: viewFor(dir, personId, f), existing: true };
      };
      return (await existing()) ?? orWinner(async () => {
        const row = await ctx.publisher.write(async (tx) => {
          if ((await conferenceStateForShare(tx, c.id)) !== 'open') throw new RequestError('conflict', 'the conference is closed: its forms are final', ['conferenceId']);
          const f = await insertForm(tx, {
            id: newId('form'), conferenceId: c.id, templateId: req.templateId, schoolId: c.schoolId, studentId: c.studentId, mentorId: c.mentorId,
            keys: formKeys(c), clientKey: req.clientKey,
          });
          // Closed by a write earlier in the same shared transaction: nothing was inserted.
          if (!f) throw new RequestError('conflict', 'the conference is closed: its forms are final', ['conferenceId']);
          return { result: f, events: sideEvents(dir, 'form.added', f, FORM_SIDES) };
        });
        return { form: viewFor(dir, personId, row) };
      }, existing);
    },
  });
};

export const fillOneForm: Handler<'form.fill'> = async (ctx, req) => {
  const { dir, personId } = ctx;
  const row = await ctx.publisher.write(async (tx) => {
    const stored = await getForm(tx, req.formId);
    if (!stored) throw noSuchForm();
    // The conference's state under a share lock: a close waits for this fill, or this sees it closed.
    const state = await conferenceStateForShare(tx, stored.conferenceId);
    const f: FormRow = { ...stored, conferenceState: state ?? 'closed' };
    // Who may write at all first, so that a stranger learns nothing about the form's fields.
    assertAllowed(can(dir, personId, { type: 'form.fill', form: storedForm(f), fieldSides: [] }));
    const template = formTemplate(f.templateId);
    const sides = req.answers.map((a, i) => {
      const field = template?.fields.find((x) => x.id === a.fieldId);
      if (!field) throw new RequestError('invalid', 'no such field in this form', ['answers', i, 'fieldId']);
      return field.side;
    });
    assertAllowed(can(dir, personId, { type: 'form.fill', form: storedForm(f), fieldSides: sides }));
    if (req.answers.every((a) => (f.answers[a.fieldId]?.value ?? '') === a.value)) return { result: f, events: [] }; // nothing changes
    const at = new Date().toISOString();
    const patch: Record<string, Answer | null> = Object.fromEntries(
      req.answers.map((a) => [a.fieldId, a.value === '' ? null : { value: a.value, by: personId, at }]),
    );
    const changed = await fillForm(tx, f.id, patch);
    if (!changed) throw closedConflict(); // closed earlier in the same shared transaction: nothing written
    const side = formSideOf(dir, personId, storedForm(f).conference)!;
    return { result: changed, events: sideEvents(dir, 'form.filled', changed, [side]) };
  });
  return { form: viewFor(dir, personId, row) };
};

export const getOneForm: Handler<'form.get'> = async (ctx, req) => {
  const f = await getForm(ctx.sql, req.formId);
  if (!f || formSidesFor(ctx.dir, ctx.personId, storedForm(f)).length === 0) throw noSuchForm();
  audit(ctx, 'form.get', () => [{ about: [f.studentId, ...ctx.dir.guardiansOf(f.studentId)], ids: [f.id] }]);
  return { form: viewFor(ctx.dir, ctx.personId, f) };
};

/** The forms of a conference that the caller sees (oldest first), each with the fields they see. */
export const getConferenceForms: Handler<'conference.forms.get'> = async (ctx, req) => {
  const { dir, personId } = ctx;
  const rows = await formsPage(ctx.sql, readKeysOf(dir, personId), { conferenceId: req.conferenceId }, FORM_TEMPLATES.length);
  const shown = rows.filter((f) => formSidesFor(dir, personId, storedForm(f)).length > 0).reverse();
  audit(ctx, 'conference.forms.get', () => shown.map((f) => ({ about: [f.studentId, ...dir.guardiansOf(f.studentId)], ids: [f.id] })));
  return { forms: shown.map((f) => viewFor(dir, personId, f)) };
};

/**
 * Called by conference.close inside its write, after the conference row is closed: every form
 * of it, read now (a fill either committed before the close took the row, or is refused), goes
 * whole to the student and the guardians (`form.released`), and to the mentor.
 */
export async function formsReleasedOnClose(tx: Tx, dir: Directory, closed: ConferenceRow): Promise<NewEvent[]> {
  const forms = await formsOfConference(tx, closed.id);
  return forms.flatMap((f): NewEvent[] => [
    { name: 'form.released', keys: formStaffKeys(f), data: { form: formView(dir, f, FORM_SIDES, showAll) } },
    { name: 'form.released', keys: [key.person(f.studentId), key.childGuardians(f.studentId)], data: { form: formView(dir, f, FORM_SIDES, familyShow(dir, f)) } },
  ]);
}
