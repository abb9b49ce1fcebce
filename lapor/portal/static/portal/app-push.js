/* Web Push opt-in on the confirmation and tracking pages (portal/_push_optin.html).
 *
 * Offered only when the browser can push ('PushManager' in window), a service worker is
 * registered for the site and the server has a VAPID key (the block is rendered only then).
 * The access code never leaves the page: the server knows this browser proved the report
 * (session), and the request carries the page's CSRF token. Texts come from the template.
 *
 * The citizen app's confirmation card (report-app.js) uses the same pieces through
 * window.LaporPush (available, subscribe, remember, remembered): it sends the subscription to
 * the public API with the access code the phone's outbox entry holds. */
(function () {
  "use strict";

  function keyBytes(b64) {
    var padded = (b64 + "===".slice((b64.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) { out[i] = raw.charCodeAt(i); }
    return out;
  }

  function memo(number) { return "lapor.push." + number; }

  function remembered(number) {
    try { return window.localStorage.getItem(memo(number)) === "1"; } catch (e) { return false; }
  }

  function remember(number, on) {
    try {
      if (on) { window.localStorage.setItem(memo(number), "1"); }
      else { window.localStorage.removeItem(memo(number)); }
    } catch (e) { /* private mode: the buttons just start from "off" next time */ }
  }

  function post(url, csrf, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
      body: JSON.stringify(body)
    }).then(function (response) {
      if (!response.ok) { throw new Error("http_" + response.status); }
      return response.json();
    });
  }

  function available() {
    return "PushManager" in window && "serviceWorker" in navigator && "Notification" in window;
  }

  /* Permission, then this browser's subscription (an existing one is reused); rejects with
     Error("denied") when the citizen said no. */
  function subscribe(key) {
    return Promise.resolve(Notification.requestPermission()).then(function (permission) {
      if (permission !== "granted") { throw new Error("denied"); }
      return navigator.serviceWorker.ready;
    }).then(function (ready) {
      return ready.pushManager.getSubscription().then(function (existing) {
        return existing || ready.pushManager.subscribe({
          userVisibleOnly: true, applicationServerKey: keyBytes(key)
        });
      });
    });
  }

  window.LaporPush = { available: available, subscribe: subscribe, remember: remember,
                       remembered: remembered };

  function setup(box) {
    if (!available()) { return; }
    var d = box.dataset;
    var on = box.querySelector("[data-push-on]");
    var off = box.querySelector("[data-push-off]");
    var status = box.querySelector("[data-push-status]");
    function show(subscribed) { on.hidden = subscribed; off.hidden = !subscribed; }

    navigator.serviceWorker.getRegistration().then(function (registration) {
      if (!registration) { return; }  // no service worker here: push is not offered
      box.hidden = false;
      show(remembered(d.number) && Notification.permission === "granted");

      on.addEventListener("click", function () {
        on.disabled = true;
        subscribe(d.key).then(function (subscription) {
          return post(d.subscribe, d.csrf, subscription.toJSON());
        }).then(function () {
          remember(d.number, true);
          show(true);
          status.textContent = d.textOn;
        }).catch(function (error) {
          status.textContent = error && error.message === "denied" ? d.textDenied : d.textFailed;
        }).then(function () { on.disabled = false; });
      });

      off.addEventListener("click", function () {
        off.disabled = true;
        // The browser's subscription stays: other reports on this phone may use it.
        navigator.serviceWorker.ready.then(function (ready) {
          return ready.pushManager.getSubscription();
        }).then(function (subscription) {
          return subscription ? post(d.unsubscribe, d.csrf, {endpoint: subscription.endpoint}) : null;
        }).then(function () {
          remember(d.number, false);
          show(false);
          status.textContent = d.textOff;
        }).catch(function () {
          status.textContent = d.textFailed;
        }).then(function () { off.disabled = false; });
      });
    });
  }

  document.querySelectorAll("[data-push]").forEach(setup);
}());
