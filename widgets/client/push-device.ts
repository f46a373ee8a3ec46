// This device's Web Push subscription (docs/PROTOCOL.md, "Notifications"): the browser's
// service worker and PushManager on one side, the hub's push.subscribe / push.unsubscribe on
// the other. Nothing here asks the person anything unless `enable` is called, which the widget
// does on a click only: a permission prompt on page load is refused by browsers and people.
import type { HubClient } from './client.ts';

/**
 * unsupported: no service worker, PushManager or Notification in this browser. unavailable:
 * the hub has no VAPID key (no Web Push). denied: the person blocked notifications for the
 * site. off / on: whether this device has a subscription now.
 */
export type PushState = 'unsupported' | 'unavailable' | 'denied' | 'off' | 'on';

export function pushSupported(): boolean {
  return typeof navigator !== 'undefined' && 'serviceWorker' in navigator && typeof PushManager !== 'undefined' && typeof Notification !== 'undefined';
}

/** The VAPID key as PushManager takes it: the bytes of its base64url text. */
function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const b64 = base64url.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(base64url.length / 4) * 4, '=');
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

function sameKey(sub: PushSubscription, key: Uint8Array): boolean {
  const had = sub.options.applicationServerKey;
  if (!had) return false;
  const a = new Uint8Array(had);
  return a.length === key.length && a.every((b, i) => b === key[i]);
}

/** The registration of the portal's service worker script, if this page registered it before. */
async function registration(scriptUrl: string): Promise<ServiceWorkerRegistration | undefined> {
  const url = new URL(scriptUrl, document.baseURI).href;
  const all = await navigator.serviceWorker.getRegistrations();
  return all.find((r) => [r.active, r.waiting, r.installing].some((w) => w?.scriptURL === url));
}

/** Resolves once the registration has an active worker (PushManager.subscribe needs one). */
function activated(reg: ServiceWorkerRegistration): Promise<void> {
  if (reg.active) return Promise.resolve();
  const worker = reg.installing ?? reg.waiting;
  return new Promise((resolve, reject) => {
    worker?.addEventListener('statechange', () => {
      if (worker.state === 'activated') resolve();
      else if (worker.state === 'redundant') reject(new Error('the service worker could not be installed'));
    });
  });
}

/** What push is on this device now, without asking the person anything. */
export async function pushState(scriptUrl: string, vapidPublicKey: string | null): Promise<PushState> {
  if (!pushSupported()) return 'unsupported';
  if (!vapidPublicKey) return 'unavailable';
  if (Notification.permission === 'denied') return 'denied';
  if (Notification.permission !== 'granted') return 'off';
  const sub = await (await registration(scriptUrl))?.pushManager.getSubscription();
  return sub && sameKey(sub, keyBytes(vapidPublicKey)) ? 'on' : 'off';
}

/**
 * Turns push on for this device: asks for permission (call it from a click), registers the
 * service worker, subscribes with the hub's VAPID key, and hands the subscription to the hub.
 * Resolves with the state after it ('denied' or 'off' when the person did not allow it).
 * A subscription the hub refused is undone in the browser too, so the two agree.
 */
export async function enablePush(client: HubClient, scriptUrl: string, vapidPublicKey: string): Promise<PushState> {
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') return permission === 'denied' ? 'denied' : 'off';
  const reg = await navigator.serviceWorker.register(scriptUrl);
  await activated(reg);
  const key = keyBytes(vapidPublicKey);
  let sub = await reg.pushManager.getSubscription();
  // A subscription made with an earlier key cannot be sent to with this one.
  if (sub && !sameKey(sub, key)) {
    await sub.unsubscribe();
    sub = null;
  }
  sub ??= await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  const { endpoint, keys } = sub.toJSON();
  try {
    if (!endpoint || !keys?.p256dh || !keys.auth) throw new Error('the browser gave a subscription without keys');
    await client.request('push.subscribe', { endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth } });
  } catch (err) {
    await sub.unsubscribe().catch(() => {});
    throw err;
  }
  return 'on';
}

/** Turns push off for this device: the browser stops listening, and the hub forgets the endpoint. */
export async function disablePush(client: HubClient, scriptUrl: string): Promise<PushState> {
  const sub = await (await registration(scriptUrl))?.pushManager.getSubscription();
  if (sub) {
    const endpoint = sub.endpoint;
    await sub.unsubscribe();
    await client.request('push.unsubscribe', { endpoint });
  }
  return 'off';
}
