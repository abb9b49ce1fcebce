/* The service worker's part of the citizen app's outbox (importScripts'ed by /sw.js after
   portal/app-queue.js, both listed in lapor.portal.pwa.SW_PARTS). Background Sync: when the
   page registered the "lapor-outbox" tag while offline, the browser wakes the worker once the
   connection is back, and the waiting reports are sent even if the page is closed. Browsers
   without Background Sync send on the next open of the form or home page, or on the page's
   `online` event (report-app.js, device-reports.js). */
(function (worker) {
  "use strict";

  worker.addEventListener("sync", function (event) {
    if (event.tag !== worker.LaporQueue.SYNC_TAG) { return; }
    event.waitUntil(worker.LaporQueue.flush().then(function (outcomes) {
      var failed = Object.keys(outcomes).some(function (id) {
        return outcomes[id] === "offline" || outcomes[id] === "waiting";
      });
      // A rejected promise asks the browser to try the sync again later.
      if (failed) { throw new Error("lapor-outbox: still waiting"); }
    }));
  });
})(self);
