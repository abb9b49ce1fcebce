/* "Laporan di sekitar saya" on the home page: public reports near the device, asked for only
   when the citizen taps the button (never on load). Words come from the section's data-
   attributes (translated in the template); GET /api/v1/reports/nearby answers the region and
   an approximate distance, never a report's exact place. The device's position is sent rounded
   to 0.001° (about 100 m) and is not stored. */
(function () {
  "use strict";

  function init() {
    var box = document.getElementById("nearby");
    if (!box) { return; }
    var button = box.querySelector("[data-nearby]");
    var status = document.getElementById("nearby-status");
    var list = document.getElementById("nearby-list");
    var lang = document.documentElement.lang || "id";
    var words = box.dataset;

    function say(text) { status.textContent = text || ""; }

    function distance(metres) {
      // "sekitar 1,2 km", never broken between the number and its unit.
      if (metres < 1000) { return words.about + " " + metres + "\u00a0m"; }
      var km = (metres / 1000).toLocaleString(lang, { maximumFractionDigits: 1 });
      return words.about + " " + km + "\u00a0km";
    }

    function item(report) {
      var li = document.createElement("li");
      var h3 = document.createElement("h3");
      var a = document.createElement("a");
      a.href = words.reportUrl.replace("000000000000", report.tracking_number);
      a.textContent = report.title;
      h3.appendChild(a);
      var meta = document.createElement("p");
      meta.className = "meta";
      [report.status_label, report.region.name, distance(report.distance_m)].forEach(
        function (text, i) {
          var span = document.createElement("span");
          if (i === 0) { span.className = "badge badge--muted"; }
          span.textContent = text;
          meta.appendChild(span);
        });
      li.appendChild(h3);
      li.appendChild(meta);
      return li;
    }

    function show(data) {
      list.replaceChildren.apply(list, data.items.map(item));
      list.hidden = data.items.length === 0;
      say(data.items.length ? words.found : words.none);
    }

    function load(position) {
      var url = words.api + "?lat=" + position.coords.latitude.toFixed(3)
        + "&lon=" + position.coords.longitude.toFixed(3) + "&radius_km=" + words.radius;
      say(words.loading);
      fetch(url, { headers: { "Accept": "application/json", "Accept-Language": lang },
                   credentials: "omit" })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        })
        .then(show, function () { say(navigator.onLine ? words.failed : words.offline); })
        .finally(function () { button.disabled = false; });
    }

    button.addEventListener("click", function () {
      if (!navigator.geolocation) { say(words.denied); return; }
      if (!navigator.onLine) { say(words.offline); return; }
      button.disabled = true;
      say(words.waiting);
      navigator.geolocation.getCurrentPosition(load, function () {
        button.disabled = false;
        say(words.denied);
      }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 });
    });
  }

  document.addEventListener("DOMContentLoaded", init);
})();
