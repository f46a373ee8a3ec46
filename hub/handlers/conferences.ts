// Development conferences: conference.create, conference.close, conference.get,
// conferences.get. A mentor holds one with a student they mentor, at a time; its
// participants are the mentor, the student and the student's guardians (resolved from the
// directory when read), and it goes open → closed. Events reach exactly the participants.
import { can, canReadConference, mentorGroupOf } from '../rules/index.ts';
import { conferenceKeys, readKeysOf } from '../audience.ts';
import { RequestError } from '../protocol/codes.ts';
import { closeConference, conferencesPage, findConferenceByKey, getConference, insertConference } from '../../storage/items.ts';
import { newId, type Handler } from './context.ts';
import { assertAllowed, assertKnown } from './rights.ts';
import { createOnce } from './create-once.ts';
import { readPage } from './paging.ts';
import { showTo } from '../views/chat.ts';
import { conferenceEvents, conferenceView } from '../views/conferences.ts';
import { formsReleasedOnClose } from './forms.ts';
import { audit, conferenceTouch } from '../audit.ts';

/** What a conference is called when the mentor gives it no title (the Swedish name of the thing). */
export const DEFAULT_CONFERENCE_TITLE = 'Utvecklingssamtal';

const noSuchConference = () => new RequestError('not_found', 'no such conference', ['conferenceId']);

export const createConference: Handler<'conference.create'> = async (ctx, req) => {
  const { dir, personId } = ctx;
  return createOnce({
    find: () => findConferenceByKey(ctx.sql, personId, req.clientKey),
    same: (stored) => stored.studentId === req.studentId && Date.parse(stored.startsAt) === Date.parse(req.startsAt),
    what: 'a different conference',
    answer: (stored) => ({ conference: conferenceView(dir, showTo(dir, personId), stored) }),
    create: async () => {
      assertKnown(dir, personId, [{ kind: 'student', id: req.studentId, path: ['studentId'] }]);
      assertAllowed(can(dir, personId, { type: 'conference.create', studentId: req.studentId }));
      const groupId = mentorGroupOf(dir, personId, req.studentId)!;
      const schoolId = dir.groups.get(groupId)!.schoolId;
      const keys = conferenceKeys({ mentorId: personId, groupId, studentId: req.studentId });
      const row = await ctx.publisher.write(async (tx) => {
        const c = await insertConference(tx, {
          id: newId('conf'), schoolId, groupId, mentorId: personId, studentId: req.studentId,
          title: req.title && req.title.length > 0 ? req.title : DEFAULT_CONFERENCE_TITLE,
          startsAt: req.startsAt, location: req.location && req.location.length > 0 ? req.location : null, keys, clientKey: req.clientKey,
        });
        return { result: c, events: conferenceEvents(dir, 'conference.created', c) };
      });
      return { conference: conferenceView(dir, showTo(dir, personId), row) };
    },
  });
};

export const closeOneConference: Handler<'conference.close'> = async (ctx, req) => {
  const { dir, personId } = ctx;
  const c = await getConference(ctx.sql, req.conferenceId);
  if (!c) throw noSuchConference();
  assertAllowed(can(dir, personId, { type: 'conference.close', conference: c }));
  const row = await ctx.publisher.write(async (tx) => {
    const closed = await closeConference(tx, c.id);
    // Closing what is closed is a retry: nothing changes, nothing is sent.
    if (!closed) return { result: c, events: [] };
    // §8: the filled-in forms reach the student and the guardians now (hub/handlers/forms.ts).
    return { result: closed, events: [...conferenceEvents(dir, 'conference.closed', closed), ...(await formsReleasedOnClose(tx, dir, closed))] };
  });
  return { conference: conferenceView(dir, showTo(dir, personId), row) };
};

export const getOneConference: Handler<'conference.get'> = async (ctx, req) => {
  const c = await getConference(ctx.sql, req.conferenceId);
  if (!c || !canReadConference(ctx.dir, ctx.personId, c)) throw noSuchConference();
  audit(ctx, 'conference.get', () => [conferenceTouch(ctx.dir, c)]);
  return { conference: conferenceView(ctx.dir, showTo(ctx.dir, ctx.personId), c) };
};

export const getConferences: Handler<'conferences.get'> = async (ctx, req) => {
  const { dir, personId } = ctx;
  const { shown, next } = await readPage(req, (limit, before) => conferencesPage(ctx.sql, readKeysOf(dir, personId), limit, before));
  audit(ctx, 'conferences.get', () => shown.map((r) => conferenceTouch(dir, r)));
  return { conferences: shown.map((r) => conferenceView(dir, showTo(dir, personId), r)), next };
};
