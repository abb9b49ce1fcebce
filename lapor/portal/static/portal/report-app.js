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
      // 0,0 (in the sea off Africa) is what some cameras write when they had no fix.
      return gps && isFinite(gps.latitude) && isFinite(gps.longitude) &&
        !(gps.latitude === 0 && gps.longitude === 0) ? gps : null;
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
  /* A phone's memory is small: a decoded camera photo is tens of megabytes, so the bitmap is
     closed and the canvases emptied as soon as they are drawn. */
  function release(image) {
    if (image && typeof image.close === "function") { image.close(); }  // an ImageBitmap
    else if (image && image.removeAttribute) { image.removeAttribute("src"); }  // an <img>
  }
  function drop(canvas) { canvas.width = 0; canvas.height = 0; }
  function draw(source, width, height) {
    var canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(width));
    canvas.height = Math.max(1, Math.round(height));
    var context = canvas.getContext("2d");
    context.imageSmoothingEnabled = true;
    context.imageSmoothingQuality = "high";
    context.drawImage(source, 0, 0, canvas.width, canvas.height);
    return canvas;
  }

  function resize(file) {
    return decode(file).then(function (image) {
      var width = image.width, height = image.height;
      var scale = Math.min(1, config.max_side / Math.max(width, height));
      var canvas;
      try { canvas = draw(image, width * scale, height * scale); } finally { release(image); }
      var thumb = draw(canvas, canvas.width * Math.min(1, 160 / Math.max(canvas.width, canvas.height)),
                       canvas.height * Math.min(1, 160 / Math.max(canvas.width, canvas.height)));
      var small = thumb.toDataURL("image/jpeg", 0.7);
      drop(thumb);
      return new Promise(function (resolve, reject) {
        canvas.toBlob(function (blob) {
          var size = { width: canvas.width, height: canvas.height };
          drop(canvas);
          // No blob: the phone could not encode it (out of memory): refused here, not sent.
          if (!blob) { reject(new Error("toBlob")); return; }
          resolve({ blob: blob, thumb: small, width: size.width, height: size.height });
        }, "image/jpeg", config.jpeg_quality);
      });
    });
  }

  function renderPhotos() {
    var list = $("app-photos");
    list.textContent = "";
    photos.forEach(function (photo, index) {
      var remove = el("button", { type: "button", className: "button button--small button--plain app-photo-remove",
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
                          height: resized.height, name: (file.name || words.photo_file).replace(/\.[^.]*$/, "") + ".jpg" });
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
            status("app-place", answer.regency_name
              ? fill(words.place_found, { district: answer.name, regency: answer.regency_name })
              : fill(words.place_found_district, { district: answer.name }));
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
      reporter_phone: value("reporter_phone"), phone_updates: !!value("phone_updates"),
      reporter_nik: value("reporter_nik"),
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

  /* The server's refusal, as the citizen can act on it: the field errors of a 400/422, or a
     general sentence for anything else (401, 403, 409, a proxy's HTML 413...). */
  function apiProblems(entry) {
    var answer = (entry && entry.errors) || {};
    if (answer.errors && answer.errors.length) { return answer.errors; }
    var status = entry && entry.status;
    if (answer.message && answer.code && (!status || status === 400 || status === 422)) {
      return [{ field: answer.field || "", message: answer.message }];
    }
    return [{ field: "", message: words.refused_general }];
  }

  function registerSync() {
    if (!("serviceWorker" in navigator) || !navigator.serviceWorker.controller) { return; }
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.sync) { return registration.sync.register(window.LaporQueue.SYNC_TAG); }
    }).catch(function () { /* no Background Sync: sent on the next open or when online */ });
  }

  /* Reports kept on the phone are not cleared by the browser when space runs low. */
  function persist() {
    if (navigator.storage && typeof navigator.storage.persist === "function") {
      navigator.storage.persist().catch(function () { /* best effort */ });
    }
  }

  var editing = null;  // the id of an entry refused by the server, being corrected
  var plain = false;   // the phone could not keep the report: the server form it is
  var sends = 0;       // this page's sends under way (busy while above 0)
  var busy = false;

  function buttons(disabled) {
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = disabled; });
  }

  /* What became of an entry the page's own send did not report on (the service worker's
     Background Sync sent it first, or another tab did): read back from the phone. */
  function settled(id) {
    return window.LaporQueue.get(id).then(function (stored) {
      if (!stored) { return "done"; }
      if (stored.state === "done" || stored.state === "created") { return "created"; }
      if (stored.state === "invalid") { return "invalid"; }
      return stored.retry_at && stored.retry_at > Date.now() ? "waiting" : "offline";
    });
  }

  function sendNow() {
    sends += 1;
    busy = true;
    render();
    function over() { sends -= 1; busy = sends > 0; }
    return window.LaporQueue.flush().then(function (outcomes) {
      over();
      return outcomes;
    }, function (error) { over(); throw error; });
  }

  /* IndexedDB full or unavailable: the plain server form, with its own file field. */
  function storageFailed() {
    plain = true;
    buttons(false);
    form.hidden = false;
    $("app-rest").hidden = false;
    $("app-steps").hidden = true;  // the app's photos cannot go with the plain form
    var files = $("files-fieldset");
    if (files) { files.hidden = false; }
    var old = $("app-storage-failed");
    if (old) { old.remove(); }
    var box = el("div", { id: "app-storage-failed", className: "notice notice--warn", role: "alert",
                          tabindex: "-1", "data-testid": "app-storage-failed", text: words.storage_failed });
    form.parentNode.insertBefore(box, form);
    box.focus();
  }

  function submit(event) {
    if (plain) { return; }  // the server form, as without JavaScript
    event.preventDefault();
    var data = fields();
    var found = problems(data);
    if (found.length) { showProblems(found); return; }
    showProblems([]);
    var entry = window.LaporQueue.create(data, photos, {
      lang: lang, photo_name: words.photo_file,
      endpoints: { reports: config.reports_url, attachments: config.attachments_url }
    });
    buttons(true);
    status("app-photo-status", "");
    window.LaporQueue.replace(entry, editing).then(function () {
      persist();
      registerSync();
      form.hidden = true;  // kept on the phone: the card below takes over
      focusWhenShown = entry.id;
      if (!navigator.onLine) { return "offline"; }
      return sendNow().then(function (outcomes) {
        return outcomes[entry.id] || settled(entry.id);
      }, function () { return settled(entry.id); });
    }, function () { storageFailed(); return null; }).then(function (outcome) {
      if (outcome === null) { return null; }
      buttons(false);
      if (outcome === "invalid") {
        focusWhenShown = null;
        return window.LaporQueue.get(entry.id).then(function (stored) {
          editing = entry.id;
          form.hidden = false;
          return render().then(function () { showProblems(apiProblems(stored)); });
        });
      }
      editing = null;
      resetForm();
      return render(outcome === "offline" || outcome === "waiting" ? words.saved_offline : "")
        .then(function () {
          if (focusWhenShown === entry.id) { focusWhenShown = null; focusOn(entry.id); }
        });
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

  /* After sending: to the report's card heading (received), or the waiting list's. */
  function focusOn(id) {
    var panel = $("app-outbox");
    var card = panel.querySelector('[data-entry="' + id + '"] h2') || panel.querySelector("[data-testid=app-waiting] h2") ||
      panel.querySelector("h2");
    if (!card && !form.hidden) { card = $("app-photo-title"); }
    if (card) { card.setAttribute("tabindex", "-1"); card.focus(); }
  }

  /* ------------------------------------------------------------ the outbox panel */

  var ticked = {};  // entry id -> "Ingat di HP ini" ticked (kept across redraws)
  var focusWhenShown = null;  // the report just sent: its card takes the focus once shown
  var note = "";

  function photoState(entry, photo) {
    if (photo.uploaded) { return words.photo_sent; }
    if (photo.failed) {
      return photo.reason || (photo.failed === "unreadable" ? words.photo_unreadable_stored : words.photo_refused_general);
    }
    return busy && navigator.onLine ? words.photo_sending : words.waiting_badge;
  }

  /* Each photo of a received report: sent, still sending (or waiting for signal), or refused
     with its reason; redrawn in place as the photos go. */
  function photoStates(box, entry) {
    box.textContent = "";
    if (!entry.photos.length) { return box; }
    var refused = entry.photos.filter(function (p) { return p.failed; });
    if (refused.length) { box.appendChild(el("p", { className: "notice notice--danger", text: words.photos_refused })); }
    box.appendChild(el("ul", { className: "app-photo-states", "data-testid": "app-photo-states" },
      entry.photos.map(function (p) {
        return el("li", { "data-photo": p.uploaded ? "sent" : p.failed ? "refused" : "pending",
                          text: p.name + ": " + photoState(entry, p) });
      })));
    return box;
  }

  /* "Kabari saya lewat notifikasi di HP ini": offered when the server has a VAPID key, the
     browser can push and a service worker is registered (app-push.js's pieces); the
     subscription goes to the public API with the access code the outbox entry holds. */
  function pushOffer(entry) {
    var push = window.LaporPush;
    if (!config.push_key || !push || !push.available()) { return null; }
    var said = el("p", { role: "status", "data-testid": "app-push-status" });
    var button = el("button", { type: "button", className: "button button--secondary", text: words.push_offer });
    var box = el("div", { className: "push-optin", "data-testid": "app-push", hidden: "" }, [
      el("h3", { text: words.push_title }), el("p", {}, [button]), said
    ]);
    navigator.serviceWorker.getRegistration().then(function (registration) {
      if (!registration) { return; }
      box.hidden = false;
      if (push.remembered(entry.tracking_number) && Notification.permission === "granted") {
        button.hidden = true;
        said.textContent = words.push_on;
      }
    }).catch(function () { /* no worker: not offered */ });
    button.addEventListener("click", function () {
      button.disabled = true;
      push.subscribe(config.push_key).then(function (subscription) {
        return fetch(config.push_url.replace("NUMBER", encodeURIComponent(entry.tracking_number)), {
          method: "POST", credentials: "same-origin",
          headers: { "Content-Type": "application/json", "Accept-Language": lang,
                     "X-Access-Code": entry.access_code },
          body: JSON.stringify(subscription.toJSON())
        }).then(function (response) { if (!response.ok) { throw new Error("http_" + response.status); } });
      }).then(function () {
        push.remember(entry.tracking_number, true);
        button.hidden = true;
        said.textContent = words.push_on;
      }).catch(function (error) {
        said.textContent = error && error.message === "denied" ? words.push_denied : words.push_failed;
      }).then(function () { button.disabled = false; });
    });
    return box;
  }

  function confirmation(entry) {
    var box = el("input", { type: "checkbox", id: "remember-" + entry.id, "data-testid": "remember" });
    box.checked = !!ticked[entry.id];
    box.addEventListener("change", function () { ticked[entry.id] = box.checked; });
    var done = el("button", { type: "button", className: "button", text: words.done, "data-testid": "app-done" });
    done.addEventListener("click", function () {
      window.LaporQueue.acknowledge(entry, box.checked).then(function () {
        delete ticked[entry.id];
        return render();
      }).then(function () { focusOn(""); });
    });
    return el("div", { className: "card secret-box", "data-testid": "app-received" }, [
      el("h2", { text: words.received_title, tabindex: "-1" }),
      el("p", { className: "label", text: words.keep_numbers }),
      el("p", {}, [el("span", { className: "label", text: words.tracking_number + " " }),
                   el("output", { className: "secret", "data-testid": "tracking-number", text: entry.tracking_number })]),
      el("p", {}, [el("span", { className: "label", text: words.access_code + " " }),
                   el("output", { className: "secret", "data-testid": "access-code", text: entry.access_code })]),
      el("div", { className: "notice notice--warn", role: "note" }, [
        el("p", {}, [el("strong", { text: words.shown_once }), document.createTextNode(" " + words.remember_help)]),
        el("p", { text: words.access_help })
      ]),
      photoStates(el("div", { "data-photos": "" }), entry),
      pushOffer(entry),
      el("p", {}, [el("label", { "for": box.id }, [box, document.createTextNode(" " + words.remember)])]),
      el("p", { className: "actions" }, [done, document.createTextNode(" "),
        el("a", { className: "button button--secondary", href: config.track_url.replace("NUMBER", entry.tracking_number), text: words.track })])
    ]);
  }

  function refusedCard(list) {
    return el("div", { className: "card", "data-testid": "app-refused" }, [
      el("h2", { text: words.refused_title, tabindex: "-1" }),
      el("ul", {}, list.map(function (entry) {
        var discard = el("button", { type: "button", className: "button button--small button--secondary",
                                     text: words.discard, "data-testid": "app-discard" });
        discard.addEventListener("click", function () { discardEntry(entry.id); });
        var fix = null;
        if (editing !== entry.id) {
          fix = el("button", { type: "button", className: "button button--small", text: words.correct });
          fix.addEventListener("click", function () { restore(entry).then(function () { render(); }); });
        }
        return el("li", { "data-entry": entry.id }, [
          el("span", { text: (entry.title || "") + " (" + new Date(entry.created_at).toLocaleString(lang) + ") · " +
                             (editing === entry.id ? words.in_form : apiProblems(entry)[0].message) + " " }),
          fix, fix ? document.createTextNode(" ") : null, discard
        ]);
      }))
    ]);
  }

  function discardEntry(id) {
    return window.LaporQueue.remove(id).then(function () {
      if (editing === id) {
        editing = null;
        resetForm();  // text, photos and pin of the discarded report
        showProblems([]);
      }
      return render(words.discarded);
    }).then(function () {
      var panel = $("app-outbox");
      var target = panel.querySelector("[data-testid=app-refused] h2") || panel.querySelector("[role=status]");
      if (target) { target.setAttribute("tabindex", "-1"); target.focus(); }
    });
  }

  /* Cards are kept in place when nothing in them changed (a redraw never unticks a box or
     takes the focus away); a changed one is replaced where it stands. */
  function place(panel, items) {
    var wanted = {};
    items.forEach(function (item, index) {
      wanted[item.key] = true;
      var node = null;
      Array.prototype.forEach.call(panel.children, function (child) {
        if (child.dataset.key === item.key) { node = child; }
      });
      if (node && node.dataset.sig === item.sig && item.update) { item.update(node); }
      if (node && node.dataset.sig !== item.sig) {
        var fresh = item.build();
        fresh.dataset.key = item.key; fresh.dataset.sig = item.sig;
        if (item.entry) { fresh.dataset.entry = item.entry; }
        panel.replaceChild(fresh, node);
        node = fresh;
      } else if (!node) {
        node = item.build();
        node.dataset.key = item.key; node.dataset.sig = item.sig;
        if (item.entry) { node.dataset.entry = item.entry; }
      }
      if (panel.children[index] !== node) { panel.insertBefore(node, panel.children[index] || null); }
    });
    Array.prototype.slice.call(panel.children).forEach(function (child) {
      if (!wanted[child.dataset.key]) { panel.removeChild(child); }
    });
  }

  var drawing = Promise.resolve();
  function render(newNote) {
    if (newNote !== undefined) { note = newNote; }
    drawing = drawing.then(paint, paint);
    return drawing;
  }

  function paint() {
    return window.LaporQueue.all().then(function (entries) {
      var panel = $("app-outbox");
      var received = entries.filter(function (e) {
        return !e.acknowledged && (e.state === "done" || (e.state === "created" && e.tracking_number));
      });
      var waiting = entries.filter(function (e) { return window.LaporQueue.pending(e) && !received.some(function (r) { return r === e; }); });
      var refused = entries.filter(function (e) { return e.state === "invalid"; });
      if (note === words.saved_offline && !waiting.length) { note = ""; }
      var items = [];
      if (note) {
        items.push({ key: "note", sig: note, build: function () {
          return el("div", { className: "notice notice--warn", role: "status", text: note });
        } });
      }
      received.forEach(function (entry) {
        items.push({ key: "r-" + entry.id, entry: entry.id, sig: entry.tracking_number,
                     build: function () { return confirmation(entry); },
                     update: function (node) { photoStates(node.querySelector("[data-photos]"), entry); } });
      });
      if (refused.length) {
        items.push({ key: "refused", sig: refused.map(function (e) { return e.id; }).join("|") + "|" + editing,
                     build: function () { return refusedCard(refused); } });
      }
      if (waiting.length) {
        var sending = busy && navigator.onLine;
        items.push({ key: "waiting", sig: waiting.map(function (e) { return e.id + e.state; }).join("|") + sending,
                     build: function () {
          return el("div", { className: "card", "data-testid": "app-waiting" }, [
            el("h2", { text: sending ? words.sending : words.waiting_title, tabindex: "-1" }),
            sending ? null : el("p", { text: words.waiting_help }),
            el("ul", {}, waiting.map(function (entry) {
              return el("li", { text: entry.title + " (" + new Date(entry.created_at).toLocaleString(lang) + ")" +
                                      (entry.state === "created" ? " · " + words.photos_pending : "") });
            }))
          ]);
        } });
      }
      if (form.hidden && !received.length) {
        items.push({ key: "new", sig: "", build: function () {
          return el("p", {}, [el("a", { className: "button button--secondary", href: form.action, text: words.new_report })]);
        } });
      }
      place(panel, items);
      if (focusWhenShown && panel.querySelector('[data-entry="' + focusWhenShown + '"] h2')) {
        var shown = focusWhenShown;
        focusWhenShown = null;
        focusOn(shown);
      }
      panel.hidden = !(note || received.length || waiting.length || refused.length);
      schedule(waiting);
      if (!received.length && !waiting.length && !plain) { form.hidden = false; }
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
      var size = { width: image.width, height: image.height };
      var canvas;
      try { canvas = draw(image, image.width * scale, image.height * scale); } finally { release(image); }
      var thumb = canvas.toDataURL("image/jpeg", 0.7);
      drop(canvas);
      return { thumb: thumb, width: size.width, height: size.height };
    });
  }

  function restore(entry) {
    var data = entry.fields;
    editing = entry.id;
    form.reset();
    form.hidden = false;
    ["type", "title", "body", "incident_date", "address", "is_anonymous", "is_confidential",
     "reporter_name", "reporter_email", "reporter_phone", "phone_updates", "reporter_nik"].forEach(function (name) {
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
      }, function () { return null; });
    })).then(function (list) {
      photos = list.filter(Boolean);
      renderPhotos();
      showProblems(apiProblems(entry));
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
    return sendNow().then(function () { return render(); }, function () { return render(); }).then(function () {
      // Still waiting (no signal after all, a 5xx): the worker tries again when it can.
      return window.LaporQueue.all().then(function (entries) {
        if (entries.some(window.LaporQueue.pending)) { registerSync(); }
      });
    }).catch(function () { /* no storage */ });
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
    // Signed in: the server form files the report under the account (the app's API call
    // would file it anonymously, without the account); the app is for phones not signed in.
    if (config.signed_in) { return; }
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
    // The page's own changes come through the hook; the channel brings the other tabs' and
    // the service worker's (the page's own messages are skipped).
    window.LaporQueue.onchange = function () { render(); };
    if (typeof BroadcastChannel === "function") {
      new BroadcastChannel(window.LaporQueue.CHANNEL).onmessage = function (event) {
        if (event.data && event.data.source === window.LaporQueue.SOURCE) { return; }
        render();
      };
    }
    window.LaporQueue.all().then(function (entries) {
      var refused = entries.filter(function (e) { return e.state === "invalid"; }).pop();
      return refused ? restore(refused) : null;
    }).then(sendWaiting, sendWaiting);
  });
})();
