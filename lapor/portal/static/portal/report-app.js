/* The citizen app's report form: photo first, then a pin on a map, then the rest; sent
   through the outbox on the phone (app-queue.js), so a report written without signal is kept
   and sent once the connection returns.

   Progressive enhancement over the plain form (lapor.portal.views.submit), which stays the
   path without JavaScript (or without IndexedDB): nothing here is needed to report.
   Settings and words come from the page (#app-config, #app-strings JSON blocks); no inline
   code, no inline styles (the Content-Security-Policy forbids both). */
(function () {
  "use strict";

  var config, words, form, photos = [], map = null, marker = null, located = "";
  var ui = window.LaporUI, el = ui.el, fill = ui.fill, lang = ui.language();

  function $(id) { return document.getElementById(id); }
  function status(id, text) { var node = $(id); if (node) { node.textContent = text || ""; } }
  function maxFiles() {
    var input = $("id_attachments");
    return input ? parseInt(input.dataset.maxFiles || "5", 10) : 5;
  }

  /* ------------------------------------------------------------ photos */

  function readGps(file) {
    if (!window.exifr || typeof window.exifr.gps !== "function") { return Promise.resolve(null); }
    return window.exifr.gps(file).then(function (gps) {
      return gps && isFinite(gps.latitude) && isFinite(gps.longitude) ? gps : null;
    }).catch(function () { return null; });
  }

  function decode(file) {
    if (typeof window.createImageBitmap === "function") {
      return window.createImageBitmap(file, { imageOrientation: "from-image" })
        .catch(function () { return window.createImageBitmap(file); });
    }
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () {
        var image = new Image();
        image.onload = function () { resolve(image); };
        image.onerror = reject;
        image.src = reader.result;  // a data: URL (the CSP allows data: images, not blob:)
      };
      reader.onerror = reject;
      reader.readAsDataURL(file);
    });
  }

  /* The photo drawn again on a canvas: longest side at most config.max_side, JPEG. Drawing
     keeps only the pixels, so the copy that leaves the phone has no EXIF at all (the server
     strips metadata again anyway). */
  function resize(file) {
    return decode(file).then(function (image) {
      var width = image.width, height = image.height;
      var scale = Math.min(1, config.max_side / Math.max(width, height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(width * scale));
      canvas.height = Math.max(1, Math.round(height * scale));
      canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
      var thumbScale = Math.min(1, 160 / Math.max(canvas.width, canvas.height));
      var thumb = document.createElement("canvas");
      thumb.width = Math.max(1, Math.round(canvas.width * thumbScale));
      thumb.height = Math.max(1, Math.round(canvas.height * thumbScale));
      thumb.getContext("2d").drawImage(canvas, 0, 0, thumb.width, thumb.height);
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          resolve({ blob: blob, thumb: thumb.toDataURL("image/jpeg", 0.7),
                    width: canvas.width, height: canvas.height });
        }, "image/jpeg", config.jpeg_quality);
      });
    });
  }

  function renderPhotos() {
    var list = $("app-photos");
    list.textContent = "";
    photos.forEach(function (photo, index) {
      var remove = el("button", { type: "button", className: "button button--small button--plain",
                                  text: words.remove_photo });
      remove.addEventListener("click", function () { photos.splice(index, 1); renderPhotos(); });
      list.appendChild(el("li", {}, [
        el("img", { src: photo.thumb, alt: fill(words.photo_alt, { n: index + 1 }),
                    "data-width": String(photo.width), "data-height": String(photo.height) }),
        remove
      ]));
    });
  }

  function addPhotos(files) {
    var room = maxFiles() - photos.length;
    var chosen = Array.prototype.slice.call(files, 0, Math.max(0, room));
    if (files.length > room) { status("app-photo-status", fill(words.too_many_photos, { n: maxFiles() })); }
    // GPS first, from the file as picked (the resized copy has none).
    return chosen.reduce(function (chain, file) {
      return chain.then(function () {
        return readGps(file).then(function (gps) {
          return resize(file).then(function (resized) {
            photos.push({ blob: resized.blob, thumb: resized.thumb, width: resized.width,
                          height: resized.height, name: (file.name || "foto").replace(/\.[^.]*$/, "") + ".jpg" });
            renderPhotos();
            if (gps && !marker) {
              setPin(gps.latitude, gps.longitude);
              status("app-photo-status", words.photo_gps);
            } else if (!gps && !marker) {
              status("app-photo-status", words.photo_no_gps);
            }
          });
        }).catch(function () { status("app-photo-status", words.photo_unreadable); });
      });
    }, Promise.resolve());
  }

  /* ------------------------------------------------------------ the map */

  function round6(value) { return Math.round(value * 1e6) / 1e6; }

  function locate(lat, lng) {
    located = "";
    var code = $("app-region-code");
    if (code) { code.value = ""; }
    if (!config.locate_url) { status("app-place", words.place_unknown); return; }
    // Offline: the server gives a pinned report without a region the pin's kecamatan.
    if (!navigator.onLine) { status("app-place", words.place_offline); return; }
    fetch(config.locate_url + "?lat=" + lat + "&lon=" + lng, { headers: { "Accept-Language": lang } })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (answer) {
          if (response.ok && answer.code) {
            located = answer.code;
            if (code) { code.value = answer.code; }
            status("app-place", fill(words.place_found, { district: answer.name, regency: answer.regency_name || "" }));
          } else if (answer.code === "location_outside_indonesia") {
            status("app-place", words.place_outside);
          } else {
            status("app-place", words.place_unknown);
          }
        });
      })
      .catch(function () { status("app-place", words.place_offline); });
  }

  function setPin(lat, lng) {
    lat = round6(lat); lng = round6(lng);
    $("id_latitude").value = String(lat);
    $("id_longitude").value = String(lng);
    var where = $("app-map");
    where.dataset.pinLat = String(lat);
    where.dataset.pinLng = String(lng);
    if (map) {
      if (!marker) {
        var icon = window.L.icon({
          iconUrl: config.marker_icon, iconRetinaUrl: config.marker_icon_2x, shadowUrl: config.marker_shadow,
          iconSize: [25, 41], iconAnchor: [12, 41], popupAnchor: [1, -34], tooltipAnchor: [16, -28], shadowSize: [41, 41]
        });
        marker = window.L.marker([lat, lng], { draggable: true, autoPan: true, icon: icon }).addTo(map);
        marker.on("dragend", function () { var p = marker.getLatLng(); setPin(p.lat, p.lng); });
      } else {
        marker.setLatLng([lat, lng]);
      }
      map.setView([lat, lng], Math.max(map.getZoom(), 13));
    } else {
      marker = marker || true;  // the map is made when step two opens, with this pin
    }
    locate(lat, lng);
  }

  function makeMap() {
    if (map || !window.L) { return; }
    var L = window.L;
    var start = [-2.5, 118], zoom = 4;
    map = L.map("app-map", { zoomControl: true, attributionControl: true }).setView(start, zoom);
    if (config.tiles_url) {
      L.tileLayer(config.tiles_url, { maxZoom: 19, attribution: config.tiles_attribution }).addTo(map);
    } else if (config.boundaries_url) {
      // No tiles (an intranet): the home regency's kecamatan as shapes, named on tap.
      fetch(config.boundaries_url).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (shapes) {
        if (!shapes || !shapes.features) { return; }
        var layer = L.geoJSON(shapes, {
          style: { color: "#1d4ed8", weight: 1, fillOpacity: 0.05 },
          onEachFeature: function (feature, shape) {
            if (feature.properties && feature.properties.name) { shape.bindTooltip(feature.properties.name); }
          }
        }).addTo(map);
        if (marker === true || !marker) { map.fitBounds(layer.getBounds()); }
        if (marker && marker !== true) { marker.bringToFront && marker.bringToFront(); }
      }).catch(function () { /* no shapes: the pin still works */ });
    }
    map.on("click", function (event) { setPin(event.latlng.lat, event.latlng.lng); });
    var lat = parseFloat($("id_latitude").value), lng = parseFloat($("id_longitude").value);
    if (isFinite(lat) && isFinite(lng)) { marker = null; setPin(lat, lng); }
  }

  function useMyLocation() {
    if (!navigator.geolocation) { status("app-place", words.locate_failed); return; }
    status("app-place", words.locating);
    navigator.geolocation.getCurrentPosition(function (position) {
      setPin(position.coords.latitude, position.coords.longitude);
    }, function () { status("app-place", words.locate_failed); },
    { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }

  function show(id) {
    var target = $(id);
    target.hidden = false;
    if (id === "app-step-where") { makeMap(); if (map) { map.invalidateSize(); } }
    var heading = target.querySelector("h2, legend");
    if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
  }

  /* ------------------------------------------------------------ sending */

  function value(name) {
    var field = form.elements.namedItem(name);
    if (!field) { return ""; }
    if (field instanceof RadioNodeList) { return field.value || ""; }
    if (field.type === "checkbox") { return field.checked; }
    if (field.type === "radio") { return field.checked ? field.value : ""; }
    return field.value || "";
  }

  function number(name) {
    var parsed = parseFloat(String(value(name)).replace(",", "."));
    return isFinite(parsed) ? round6(parsed) : null;
  }

  function fields() {
    return {
      type: value("type"), title: value("title").trim(), body: value("body").trim(),
      incident_date: value("incident_date") || null,
      category_code: value("category") || null,
      region_code: located || value("region_code") || "",
      latitude: number("latitude"), longitude: number("longitude"),
      address: value("address"),
      target_agency_code: value("target_agency") || null,
      is_anonymous: !!value("is_anonymous"), is_confidential: !!value("is_confidential"),
      reporter_name: value("reporter_name"), reporter_email: value("reporter_email"),
      reporter_phone: value("reporter_phone"), reporter_nik: value("reporter_nik"),
      channel: "web"
    };
  }

  function problems(data) {
    var found = [];
    if (data.title.length < config.title_min) { found.push({ field: "title", message: fill(words.need_title, { n: config.title_min }) }); }
    if (data.body.length < config.body_min) { found.push({ field: "body", message: fill(words.need_body, { n: config.body_min }) }); }
    if (!data.region_code && (data.latitude === null || data.longitude === null)) {
      found.push({ field: "region_code", message: words.need_place });
    }
    return found;
  }

  function anchor(field) {
    var map = { region_code: "id_region_q", category_code: "id_category", target_agency_code: "id_target_agency" };
    return map[field] || ("id_" + field);
  }

  function showProblems(list) {
    var old = $("app-errors");
    if (old) { old.remove(); }
    if (!list.length) { return; }
    $("app-rest").hidden = false;
    var items = list.map(function (problem) {
      var link = el("a", { href: "#" + anchor(problem.field || ""), text: problem.message });
      return el("li", {}, [link]);
    });
    var box = el("div", { id: "app-errors", className: "notice notice--danger error-summary", role: "alert",
                          tabindex: "-1", "data-testid": "error-summary" }, [
      el("p", {}, [el("strong", { text: words.not_sent }), document.createTextNode(" " + words.fix_help)]),
      el("ul", {}, items)
    ]);
    form.parentNode.insertBefore(box, form);
    box.focus();
  }

  function apiProblems(answer) {
    answer = answer || {};
    if (answer.errors && answer.errors.length) { return answer.errors; }
    return [{ field: answer.field || "", message: answer.message || String(answer.code || "") }];
  }

  function registerSync() {
    if (!("serviceWorker" in navigator) || !navigator.serviceWorker.controller) { return; }
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.sync) { return registration.sync.register(window.LaporQueue.SYNC_TAG); }
    }).catch(function () { /* no Background Sync: sent on the next open or when online */ });
  }

  var editing = null;  // the id of an entry refused by the server, being corrected

  function submit(event) {
    event.preventDefault();
    var data = fields();
    var found = problems(data);
    if (found.length) { showProblems(found); return; }
    showProblems([]);
    var entry = window.LaporQueue.create(data, photos, {
      id: editing || undefined, lang: lang,
      endpoints: { reports: config.reports_url, attachments: config.attachments_url }
    });
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    status("app-photo-status", "");
    window.LaporQueue.put(entry).then(function () {
      registerSync();
      if (!navigator.onLine) { return "offline"; }
      renderBusy();
      return window.LaporQueue.flush().then(function (outcomes) { return outcomes[entry.id] || "offline"; });
    }).then(function (outcome) {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = false; });
      if (outcome === "invalid") {
        return window.LaporQueue.get(entry.id).then(function (stored) {
          editing = entry.id;
          render();
          showProblems(apiProblems(stored && stored.errors));
        });
      }
      editing = null;
      resetForm();
      return render(outcome === "offline" || outcome === "waiting" ? words.saved_offline : "");
    });
  }

  function resetForm() {
    form.reset();
    photos = [];
    renderPhotos();
    located = "";
    if (marker && marker !== true && map) { map.removeLayer(marker); }
    marker = null;
    status("app-place", "");
    form.hidden = true;
  }

  /* ------------------------------------------------------------ the outbox panel */

  function renderBusy() {
    var panel = $("app-outbox");
    panel.hidden = false;
    panel.textContent = "";
    panel.appendChild(el("p", { role: "status", text: words.sending }));
  }

  function confirmation(entry) {
    var box = el("input", { type: "checkbox", id: "remember-" + entry.id, "data-testid": "remember" });
    var done = el("button", { type: "button", className: "button", text: words.done });
    done.addEventListener("click", function () {
      window.LaporQueue.acknowledge(entry, box.checked).then(function () { render(); });
    });
    var refused = entry.photos.filter(function (p) { return p.failed; });
    return el("div", { className: "card secret-box", "data-testid": "app-received" }, [
      el("h2", { text: words.received_title }),
      el("p", { className: "label", text: words.keep_numbers }),
      el("p", {}, [el("span", { className: "label", text: words.tracking_number + " " }),
                   el("output", { className: "secret", "data-testid": "tracking-number", text: entry.tracking_number })]),
      el("p", {}, [el("span", { className: "label", text: words.access_code + " " }),
                   el("output", { className: "secret", "data-testid": "access-code", text: entry.access_code })]),
      el("div", { className: "notice notice--warn", role: "note" }, [
        el("p", {}, [el("strong", { text: words.shown_once }), document.createTextNode(" " + words.remember_help)]),
        el("p", { text: words.access_help })
      ]),
      refused.length ? el("div", { className: "notice notice--danger" }, [
        el("p", { text: words.photos_refused }),
        el("ul", {}, refused.map(function (p) { return el("li", { text: p.name + ": " + p.failed }); }))
      ]) : null,
      el("p", {}, [el("label", { "for": box.id }, [box, document.createTextNode(" " + words.remember)])]),
      el("p", { className: "actions" }, [done, document.createTextNode(" "),
        el("a", { className: "button button--secondary", href: config.track_url.replace("NUMBER", entry.tracking_number), text: words.track })])
    ]);
  }

  function render(note) {
    return window.LaporQueue.all().then(function (entries) {
      var panel = $("app-outbox");
      panel.textContent = "";
      var received = entries.filter(function (e) { return e.state === "done"; });
      var waiting = entries.filter(window.LaporQueue.pending);
      if (note) { panel.appendChild(el("div", { className: "notice notice--warn", role: "status", text: note })); }
      received.forEach(function (entry) { panel.appendChild(confirmation(entry)); });
      if (waiting.length) {
        panel.appendChild(el("div", { className: "card", "data-testid": "app-waiting" }, [
          el("h2", { text: words.waiting_title }),
          el("p", { text: words.waiting_help }),
          el("ul", {}, waiting.map(function (entry) {
            return el("li", { text: entry.title + " (" + new Date(entry.created_at).toLocaleString(lang) + ")" });
          }))
        ]));
      }
      if (form.hidden && !received.length) {
        panel.appendChild(el("p", {}, [el("a", { className: "button button--secondary", href: form.action, text: words.new_report })]));
      }
      panel.hidden = !(note || received.length || waiting.length);
      schedule(waiting);
      if (!received.length && !waiting.length) { form.hidden = false; }
    });
  }

  /* A report the server refused (validation): back in the form for correcting. */
  function setField(name, data) {
    var field = form.elements.namedItem(name);
    if (!field || data === null || data === undefined) { return; }
    if (field instanceof RadioNodeList) { field.value = String(data); return; }
    if (field.type === "checkbox") { field.checked = !!data; return; }
    field.value = String(data);
  }

  function thumbnail(blob) {
    return decode(blob).then(function (image) {
      var scale = Math.min(1, 160 / Math.max(image.width, image.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(image.width * scale));
      canvas.height = Math.max(1, Math.round(image.height * scale));
      canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
      return { thumb: canvas.toDataURL("image/jpeg", 0.7), width: image.width, height: image.height };
    });
  }

  function restore(entry) {
    var data = entry.fields;
    editing = entry.id;
    ["type", "title", "body", "incident_date", "address", "is_anonymous", "is_confidential",
     "reporter_name", "reporter_email", "reporter_phone", "reporter_nik"].forEach(function (name) {
      setField(name, data[name]);
    });
    setField("category", data.category_code);
    setField("target_agency", data.target_agency_code);
    $("app-step-where").hidden = false;
    $("app-rest").hidden = false;
    makeMap();
    if (data.latitude !== null && data.longitude !== null) { marker = null; setPin(data.latitude, data.longitude); }
    var kept = entry.photos.filter(function (p) { return p.blob; });
    return Promise.all(kept.map(function (p) {
      return thumbnail(p.blob).then(function (t) {
        return { blob: p.blob, name: p.name, thumb: t.thumb, width: t.width, height: t.height };
      });
    })).then(function (list) {
      photos = list;
      renderPhotos();
      showProblems(apiProblems(entry.errors));
    });
  }

  /* A 429 (Retry-After) or 5xx: try again when the server said, while the page is open. */
  var timer = null;
  function schedule(waiting) {
    var next = waiting.map(function (e) { return e.retry_at || 0; })
      .filter(function (t) { return t > Date.now(); }).sort(function (a, b) { return a - b; })[0];
    if (timer) { clearTimeout(timer); timer = null; }
    if (next) { timer = setTimeout(sendWaiting, Math.min(next - Date.now() + 500, 3600000)); }
  }

  function sendWaiting() {
    if (!navigator.onLine) { return render(); }
    return window.LaporQueue.flush().then(function () { return render(); }, function () { return render(); });
  }

  /* ------------------------------------------------------------ start */

  document.addEventListener("DOMContentLoaded", function () {
    config = ui.json("app-config");
    words = ui.json("app-strings");
    form = $("report-form");
    if (!config || !words || !form || !window.LaporQueue || !window.indexedDB || !window.fetch ||
        !window.crypto || typeof window.crypto.randomUUID !== "function" || !window.Promise) {
      return;  // the plain form it is
    }
    // A located district goes in with the report; the picker below stays for a correction.
    form.appendChild(el("input", { type: "hidden", id: "app-region-code" }));
    // Picking a region by hand wins over the pin's district.
    form.addEventListener("change", function (event) {
      if (event.target.name === "region_code") { located = ""; }
    });
    document.documentElement.classList.add("has-app");
    $("app-steps").hidden = false;
    $("app-rest").hidden = true;
    var files = $("files-fieldset");
    if (files) { files.hidden = true; }
    ["app-camera", "app-gallery"].forEach(function (id) {
      $(id).addEventListener("change", function (event) {
        addPhotos(event.target.files).then(function () { event.target.value = ""; });
      });
    });
    document.querySelectorAll("[data-app-next]").forEach(function (button) {
      button.addEventListener("click", function () { show(button.dataset.appNext); });
    });
    $("app-locate-me").addEventListener("click", useMyLocation);
    form.addEventListener("submit", submit);
    window.addEventListener("online", sendWaiting);
    if (typeof BroadcastChannel === "function") {
      new BroadcastChannel(window.LaporQueue.CHANNEL).onmessage = function () { render(); };
    }
    window.LaporQueue.all().then(function (entries) {
      var refused = entries.filter(function (e) { return e.state === "invalid"; }).pop();
      return refused ? restore(refused) : null;
    }).then(sendWaiting, sendWaiting);
  });
})();
