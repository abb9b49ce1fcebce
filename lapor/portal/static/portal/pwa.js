/* The citizen app: registers the service worker (/sw.js, lapor/portal/pwa.py) once the page has
   loaded, so installing it never competes with the page for a slow connection. No inline code:
   the worker's address comes from this script tag's data-sw attribute. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !("serviceWorker" in navigator) || !window.isSecureContext) { return; }
  var url = script.dataset.sw;
  window.addEventListener("load", function () {
    navigator.serviceWorker.register(url, { scope: "/" }).catch(function () {
      /* No worker (private mode, an old browser): the site works as a plain website. */
    });
  });
})();
