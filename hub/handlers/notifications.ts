// A person's own notification preferences (docs/PROTOCOL.md, "Notifications"): how and when
// they are told of what they may read while no page of theirs is open. Only ever the caller's
// own: the requests take no person id, so there is nobody else's to name. A change is told to
// the person's other devices (`notifications.changed`, their own read key alone), so that an
// open <schoolhub-notifications> elsewhere shows it.
import { preferencesOf, putPreferences } from '../../storage/notification-preferences.ts';
import { key } from '../audience.ts';
import type { Handler } from './context.ts';

export const getNotifications: Handler<'notifications.get'> = async (ctx) => {
  const preferences = (await preferencesOf(ctx.sql, [ctx.personId])).get(ctx.personId);
  // The key browsers subscribe with (HUB_VAPID_PUBLIC_KEY); null: no Web Push.
  return { preferences, vapidPublicKey: ctx.push.vapid?.publicKey ?? null };
};

/** Stores the whole object (validated at the edge) in one statement: all of it or nothing. */
export const setNotifications: Handler<'notifications.set'> = async (ctx, req) => {
  const preferences = await ctx.publisher.write(async (tx) => {
    const stored = await putPreferences(tx, ctx.personId, req.preferences);
    return { result: stored, events: [{ name: 'notifications.changed', keys: [key.person(ctx.personId)], data: { preferences: stored } }] };
  });
  return { preferences };
};
