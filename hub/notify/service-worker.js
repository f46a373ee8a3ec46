// schoolhub's Web Push service worker, served by the hub at /push/sw.js (hub/static.ts). A
// service worker must live on the portal's origin, so the portal hosts one line that imports
// this one (docs/NOTIFICATIONS.md "Web Push"):
//
//   // https://portal.example/schoolhub-sw.js
//   importScripts('https://hub.example/push/sw.js');
//
// It shows what the hub sends ({title, body, url, tag, urgent}: texts already cut to what the
// person may see and what the school lets a lock screen show) and, on a click, brings the
// portal's page of the thing forward: a portal tab this worker controls is navigated to it,
// else a new window opens. Only http(s) pages are opened, resolved on the portal's origin.
/* eslint-env serviceworker */
'use strict';

(function schoolhubPush() {
  var FALLBACK_TITLE = 'schoolhub';

  function pageUrl(raw) {
    try {
      var url = new URL(typeof raw === 'string' && raw !== '' ? raw : '/', self.location.origin);
      return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : self.registration.scope;
    } catch (e) {
      return self.registration.scope;
    }
  }

  function text(v) {
    return typeof v === 'string' ? v : '';
  }

  self.addEventListener('push', function (event) {
    var p = {};
    try {
      p = event.data ? event.data.json() : {};
    } catch (e) {
      p = {};
    }
    if (typeof p !== 'object' || p === null) p = {};
    var tag = text(p.tag);
    var options = {
      body: text(p.body),
      // A newer notification of the same thing replaces the older one, and still alerts.
      tag: tag || undefined,
      renotify: tag !== '',
      // Urgent posts (a school leader's) stay until the person acts.
      requireInteraction: p.urgent === true,
      data: { url: pageUrl(p.url), schoolhub: true },
    };
    event.waitUntil(self.registration.showNotification(text(p.title) || FALLBACK_TITLE, options));
  });

  self.addEventListener('notificationclick', function (event) {
    var data = event.notification.data;
    // Another part of the portal's worker may show notifications of its own: not ours to open.
    if (!data || data.schoolhub !== true) return;
    event.notification.close();
    var target = pageUrl(data.url);
    event.waitUntil(
      self.clients.matchAll({ type: 'window', includeUncontrolled: false }).then(function (windows) {
        for (var i = 0; i < windows.length; i++) {
          if (windows[i].url === target) return windows[i].focus().catch(function () { return windows[i]; });
        }
        var tab = windows.find(function (w) { return new URL(w.url).origin === new URL(target).origin && typeof w.navigate === 'function'; });
        if (tab) {
          return tab.navigate(target).then(function (w) {
            return (w || tab).focus().catch(function () { return w; });
          });
        }
        return self.clients.openWindow(target);
      }),
    );
  });
})();
