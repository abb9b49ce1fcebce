/* "Laporan saya" on the home page: the reports this phone sent or remembered, and the ones
   still waiting for signal, read from the phone's own storage (app-queue.js). Nothing of it
   comes from the server; without JavaScript the section stays hidden. Opening the page also
   sends what is waiting (browsers without Background Sync). */
(function () {
  "use strict";

  var ui = window.LaporUI, el = ui.el;

  function render(section, config, words) {
    var lang = ui.language();
    var queue = window.LaporQueue;
    return Promise.all([queue.all(), queue.mine.all()]).then(function (found) {
      var entries = found[0], mine = found[1];
      var items = [];
      var listed = {};
      entries.forEach(function (entry) {
        var note = entry.state === "invalid" ? words.needs_fixing
          : entry.state === "done" ? words.code_unseen : words.waiting_badge;
        if (entry.tracking_number) { listed[entry.tracking_number] = true; }
        var title = entry.tracking_number
          ? el("a", { href: config.track_url.replace("NUMBER", entry.tracking_number), text: entry.title })
          : el("span", { text: entry.title });
        var link = entry.state === "done" || entry.state === "invalid"
          ? el("a", { href: config.form_url, className: "badge", text: note })
          : el("span", { className: "badge", text: note });
        items.push(el("li", { "data-state": entry.state }, [title, document.createTextNode(" · " +
          new Date(entry.created_at).toLocaleDateString(lang) + " · "), link]));
      });
      mine.forEach(function (record) {
        if (listed[record.tracking_number]) { return; }
        var link = el("a", { href: config.track_url.replace("NUMBER", record.tracking_number), text: record.title || record.tracking_number });
        if (record.access_code) {
          // The kept code fills the tracking page's form (track-device.js), never the address.
          link.addEventListener("click", function () {
            try { window.sessionStorage.setItem("lapor.code." + record.tracking_number, record.access_code); }
            catch (e) { /* no storage: the citizen types the code */ }
          });
        }
        items.push(el("li", {}, [
          link,
          document.createTextNode(" · " + record.tracking_number + " · " + new Date(record.created_at).toLocaleDateString(lang)),
          record.access_code ? el("span", { className: "badge", text: " · " + words.saved_code }) : null
        ]));
      });
      section.textContent = "";
      if (!items.length) { section.hidden = true; return; }
      section.className = "card device-reports";
      section.setAttribute("aria-labelledby", "device-reports-title");
      section.appendChild(el("h2", { id: "device-reports-title", text: words.my_reports }));
      section.appendChild(el("p", { className: "help", text: words.my_reports_help }));
      section.appendChild(el("ul", {}, items));
      section.hidden = false;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var section = document.getElementById("device-reports");
    var config = ui.json("app-config"), words = ui.json("app-strings");
    if (!section || !config || !words || !window.LaporQueue || !window.indexedDB) { return; }
    function refresh() { return render(section, config, words).catch(function () { /* no storage */ }); }
    function sendWaiting() {
      if (!navigator.onLine) { return refresh(); }
      return window.LaporQueue.flush().then(refresh, refresh);
    }
    window.addEventListener("online", sendWaiting);
    if (typeof BroadcastChannel === "function") {
      new BroadcastChannel(window.LaporQueue.CHANNEL).onmessage = refresh;
    }
    refresh().then(sendWaiting);
  });
})();
