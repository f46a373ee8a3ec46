// push.subscribe and push.unsubscribe (docs/PROTOCOL.md "Notifications"): a device of the
// connection's person, for Web Push. The endpoint is a URL the hub will POST to, so it passes
// the SSRF guard first (hub/notify/endpoint-guard.ts; checked again before every send). Who
// holds an endpoint, renewals, moves and the per-person limit are storage/push-subscriptions.ts.
// No events: a device is nobody else's business, and the person's other devices need not know.
import { RequestError } from '../protocol/codes.ts';
import { EndpointRefused, checkEndpoint, systemResolve } from '../notify/endpoint-guard.ts';
import { subscribePush, unsubscribePush } from '../../storage/push-subscriptions.ts';
import { newId, type Handler } from './context.ts';

export const subscribeDevice: Handler<'push.subscribe'> = async (ctx, req) => {
  if (!ctx.push.vapid) throw new RequestError('refused', 'Web Push is off on this hub (no VAPID keys configured)', ['endpoint']);
  try {
    await checkEndpoint(req.endpoint, ctx.push, systemResolve);
  } catch (e) {
    if (e instanceof EndpointRefused) throw new RequestError('refused', e.message, ['endpoint']);
    throw e;
  }
  const stored = await subscribePush(ctx.sql, {
    id: newId('dev'), personId: ctx.personId, endpoint: req.endpoint, p256dh: req.keys.p256dh, auth: req.keys.auth, label: req.label || null,
  });
  // Same endpoint, other keys: not the browser that holds it. No more is said (no probing).
  if (stored.status === 'taken') throw new RequestError('refused', 'this endpoint belongs to another device', ['endpoint']);
  return { deviceId: stored.id };
};

export const unsubscribeDevice: Handler<'push.unsubscribe'> = async (ctx, req) => {
  await unsubscribePush(ctx.sql, ctx.personId, req.endpoint);
  return {};
};
