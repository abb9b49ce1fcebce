/* Web Push handlers of the portal's service worker (imported by /sw.js: lapor.portal.pwa).
 *
 * The payload (lapor.notifications.push.payload) holds the tracking number, a fixed status
 * sentence, the page to open, a one-tap unsubscribe URL and the texts of the "stop" action;
 * never what the reporter wrote. ``tag`` is derived from the delivery key, so a repeated
 * delivery replaces the notification instead of adding a second one. */
/* eslint-env serviceworker */
(function () {
  "use strict";

  // The site's name from /sw.js's configuration (lapor.portal.pwa.worker_config).
  var APP_NAME = (self.LAPOR_SW && self.LAPOR_SW.name) || "";

  self.addEventListener("push", function (event) {
    var data = {};
    try { data = event.data ? event.data.json() : {}; } catch (e) { data = {}; }
    var options = {
      body: data.body || "",
      tag: data.tag || undefined,
      icon: data.icon || undefined,
      data: {url: data.url || "/", unsubscribe: data.unsubscribe || "",
             title: data.title || "", stopped: data.stopped || ""},
      actions: data.unsubscribe && data.stop ? [{action: "stop", title: data.stop}] : []
    };
    event.waitUntil(self.registration.showNotification(data.title || APP_NAME, options));
  });

  function openPage(url) {
    var target = new URL(url, self.location.origin).href;
    return self.clients.matchAll({type: "window", includeUncontrolled: true}).then(function (list) {
      for (var i = 0; i < list.length; i += 1) {
        if (list[i].url === target && "focus" in list[i]) { return list[i].focus(); }
      }
      return self.clients.openWindow(target);
    });
  }

  self.addEventListener("notificationclick", function (event) {
    var notification = event.notification;
    var data = notification.data || {};
    notification.close();
    if (event.action === "stop" && data.unsubscribe) {
      // One tap: the signed URL is the credential (no access code, no cookie needed).
      event.waitUntil(fetch(data.unsubscribe, {method: "POST", credentials: "omit"})
        .then(function (response) {
          if (!response.ok) { throw new Error("http_" + response.status); }
          return data.stopped ? self.registration.showNotification(data.title || APP_NAME,
            {body: data.stopped, tag: "lapor-push-stopped"}) : null;
        })
        .catch(function () { return openPage(data.unsubscribe); }));
      return;
    }
    event.waitUntil(openPage(data.url || "/"));
  });
}());
