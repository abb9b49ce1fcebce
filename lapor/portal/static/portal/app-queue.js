/* The citizen app's outbox: reports kept on the phone (IndexedDB) and sent once.

   Shared by the page (report-app.js, device-reports.js) and the service worker
   (sw-queue.js, importScripts'ed by /sw.js through lapor.portal.pwa.SW_PARTS): it only uses
   what both have (indexedDB, fetch, FormData, navigator.locks, BroadcastChannel), and exposes
   one global, LaporQueue, on `self` (the window or the worker).

   An entry's states (docs/portal.md "The offline queue"):
     queued   -> POST /api/v1/reports with the entry's Idempotency-Key (made on the phone with
                 crypto.randomUUID() when it was queued; a retry gets the same answer back);
     created  -> the tracking number and access code are kept in the entry; each photo is sent
                 to /api/v1/track/N/attachments (a retried photo is the same attachment);
     done     -> everything sent; the access code waits to be shown once, then is kept only if
                 the citizen ticked "Ingat di HP ini";
     invalid  -> refused (4xx): kept for editing, never retried on its own.
   A lost connection, a timeout, a 5xx or a 429 (Retry-After honoured) keeps the entry as it
   is. A photo the server refuses, or one the phone cannot read back, is marked `failed` (a
   code) with the server's translated `reason` when it gave one; the report stands without it.

   Every change is announced on the BroadcastChannel with this context's SOURCE id (a page
   ignores its own messages) and to this context's `onchange` hook (the page's own sends). */
(function (root) {
  "use strict";

  var DB_NAME = "lapor-app";
  var OUTBOX = "outbox";
  var MINE = "mine";
  var CHANNEL = "lapor-outbox";
  var dbPromise = null;
  var SOURCE = root.crypto && typeof root.crypto.randomUUID === "function" ? root.crypto.randomUUID() : String(Math.random());
  var POST_TIMEOUT = 30000, PHOTO_TIMEOUT = 120000;

  /* A weak signal never holds the sending lock forever: a request that did not finish in
     time is aborted and counts as "no connection" (the entry is kept as it is). */
  function deadline(ms) {
    var make = root.AbortSignal && root.AbortSignal.timeout;
    return typeof make === "function" ? root.AbortSignal.timeout(ms) : undefined;
  }

  function open() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var request = root.indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = function () {
          var db = request.result;
          if (!db.objectStoreNames.contains(OUTBOX)) { db.createObjectStore(OUTBOX, { keyPath: "id" }); }
          if (!db.objectStoreNames.contains(MINE)) { db.createObjectStore(MINE, { keyPath: "tracking_number" }); }
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { dbPromise = null; reject(request.error); };
      });
    }
    return dbPromise;
  }

  function run(store, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(store, mode);
        var result;
        var request = work(tx.objectStore(store));
        if (request) { request.onsuccess = function () { result = request.result; }; }
        tx.oncomplete = function () { resolve(result); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  function announce(entry) {
    var hook = root.LaporQueue && root.LaporQueue.onchange;
    if (typeof hook === "function") { try { hook(entry); } catch (e) { /* the page's business */ } }
    if (typeof root.BroadcastChannel === "function") {
      var channel = new root.BroadcastChannel(CHANNEL);
      channel.postMessage({ id: entry && entry.id, state: entry && entry.state, source: SOURCE });
      channel.close();
    }
  }

  function put(entry) {
    return run(OUTBOX, "readwrite", function (s) { return s.put(entry); })
      .then(function () { announce(entry); return entry; });
  }
  /* A corrected report goes back under the refused entry's id only if that entry is still
     refused (another tab may have sent or replaced it): checked and written in one
     read-write transaction; otherwise the corrected report is a new entry. */
  function replace(entry, id) {
    return run(OUTBOX, "readwrite", function (s) {
      if (!id) { s.put(entry); return null; }
      var found = s.get(id);
      found.onsuccess = function () {
        if (!found.result || found.result.state !== "invalid") { entry.id = uuid(); }
        else { entry.id = id; }
        s.put(entry);
      };
      return null;
    }).then(function () { announce(entry); return entry; });
  }
  /* The sender's write: "Selesai" pressed meanwhile (in this or another tab) is kept, and an
     entry deleted meanwhile stays deleted. */
  function save(entry) {
    return run(OUTBOX, "readwrite", function (s) {
      var found = s.get(entry.id);
      found.onsuccess = function () {
        if (!found.result) { return; }
        if (found.result.acknowledged) { entry.acknowledged = true; }
        s.put(entry);
      };
      return null;
    }).then(function () { announce(entry); return entry; });
  }
  function get(id) { return run(OUTBOX, "readonly", function (s) { return s.get(id); }); }
  function all() {
    return run(OUTBOX, "readonly", function (s) { return s.getAll(); }).then(function (list) {
      return (list || []).sort(function (a, b) { return a.created_at < b.created_at ? -1 : 1; });
    });
  }
  function remove(id) {
    return run(OUTBOX, "readwrite", function (s) { return s.delete(id); })
      .then(function () { announce({ id: id, state: "removed" }); });
  }
  function mineAll() {
    return run(MINE, "readonly", function (s) { return s.getAll(); }).then(function (list) {
      return (list || []).sort(function (a, b) { return a.created_at < b.created_at ? 1 : -1; });
    });
  }
  function minePut(record) { return run(MINE, "readwrite", function (s) { return s.put(record); }); }
  function mineRemove(number) { return run(MINE, "readwrite", function (s) { return s.delete(number); }); }

  function uuid() {
    return root.crypto.randomUUID();
  }

  /* A new entry: fields is the JSON body of POST /api/v1/reports; photos are Blobs. */
  function create(fields, photos, options) {
    options = options || {};
    return {
      id: options.id || uuid(),
      key: options.key || uuid(),
      created_at: new Date().toISOString(),
      title: fields.title || "",
      fields: fields,
      photos: (photos || []).map(function (p) {
        return { blob: p.blob, name: p.name || options.photo_name || "photo.jpg", uploaded: false,
                 failed: "", reason: "" };
      }),
      state: "queued",
      endpoints: options.endpoints,
      lang: options.lang || "id",
      tracking_number: "",
      access_code: "",
      errors: null,
      retry_at: 0,
      last_error: ""
    };
  }

  function retryAfter(response) {
    var seconds = parseInt(response.headers.get("Retry-After") || "60", 10);
    return Date.now() + (isNaN(seconds) ? 60 : seconds) * 1000;
  }

  function body(response) {
    return response.json().catch(function () { return {}; });
  }

  function remember(entry) {
    return minePut({ tracking_number: entry.tracking_number, title: entry.title,
                     created_at: entry.created_at, access_code: "" });
  }

  /* One step of the state machine; resolves to the entry's next outcome. */
  function sendReport(entry) {
    return root.fetch(entry.endpoints.reports, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept-Language": entry.lang,
                 "Idempotency-Key": entry.key },
      body: JSON.stringify(entry.fields), signal: deadline(POST_TIMEOUT)
    }).then(function (response) {
      if (response.status === 201) {
        return body(response).then(function (answer) {
          entry.state = "created";
          entry.tracking_number = answer.tracking_number;
          entry.access_code = answer.access_code;
          entry.errors = null;
          return put(entry).then(function () { return remember(entry); })
            .then(function () { return "created"; });
        });
      }
      if (response.status === 429 || response.status >= 500) {
        entry.retry_at = retryAfter(response);
        entry.last_error = String(response.status);
        return put(entry).then(function () { return "waiting"; });
      }
      return body(response).then(function (problem) {
        entry.state = "invalid";
        entry.errors = problem;
        entry.status = response.status;
        return put(entry).then(function () { return "invalid"; });
      });
    });
  }

  function refuse(entry, photo, code, reason) {
    photo.failed = code;
    photo.reason = reason || "";
    photo.blob = null;
    return save(entry).then(function () { return "sent"; });
  }

  /* The stored photo is read back first: a photo the phone cannot read (a missing blob, a
     file gone from storage) is refused here, on the phone, not taken for a lost connection. */
  function readPhoto(photo) {
    if (!photo.blob || typeof photo.blob.arrayBuffer !== "function" || !photo.blob.size) {
      return Promise.reject(new Error("unreadable"));
    }
    return photo.blob.arrayBuffer().then(function (bytes) {
      return new root.Blob([bytes], { type: photo.blob.type || "image/jpeg" });
    });
  }

  function sendPhoto(entry, photo) {
    var url = entry.endpoints.attachments.replace("NUMBER", encodeURIComponent(entry.tracking_number));
    return readPhoto(photo).then(function (blob) {
      var form = new root.FormData();
      form.append("file", blob, photo.name);
      return form;
    }).then(function (form) {
      return root.fetch(url, {
        method: "POST", credentials: "same-origin", body: form, signal: deadline(PHOTO_TIMEOUT),
        headers: { "X-Access-Code": entry.access_code, "Accept-Language": entry.lang }
      }).then(function (response) { return answered(entry, photo, response); });
    }, function () { return refuse(entry, photo, "unreadable", ""); });
  }

  function answered(entry, photo, response) {
    if (response.status === 201) {
      photo.uploaded = true;
      photo.blob = null;  // sent: the phone's copy is not needed any more
      return save(entry).then(function () { return "sent"; });
    }
    if (response.status === 429 || response.status >= 500) {
      entry.retry_at = retryAfter(response);
      return save(entry).then(function () { return "waiting"; });
    }
    // Refused for good (too large, wrong type, limit): the report stands without it. A
    // reason only from the API's own JSON answer (a proxy's HTML 413 has none).
    return body(response).then(function (problem) {
      var code = (problem && problem.code) || "http_" + response.status;
      return refuse(entry, photo, String(code), problem && problem.code ? problem.message : "");
    });
  }

  function sendPhotos(entry) {
    var next = entry.photos.filter(function (p) { return !p.uploaded && !p.failed; })[0];
    if (!next) {
      entry.state = "done";
      // Its numbers were already shown and put away ("Selesai"): nothing left to show.
      return save(entry).then(function () {
        return entry.acknowledged ? remove(entry.id) : null;
      }).then(function () { return "done"; });
    }
    return sendPhoto(entry, next).then(function (outcome) {
      return outcome === "sent" ? sendPhotos(entry) : outcome;
    });
  }

  function send(entry) {
    if (entry.retry_at && entry.retry_at > Date.now()) { return Promise.resolve("waiting"); }
    var step = entry.state === "queued" ? sendReport(entry) : Promise.resolve(entry.state);
    return step.then(function (outcome) {
      return outcome === "created" ? sendPhotos(entry) : outcome;
    }).catch(function (error) {
      // No connection (fetch rejects): keep the entry as it is, for the next try.
      entry.last_error = String(error && error.message || error);
      return "offline";
    });
  }

  function pending(entry) { return entry.state === "queued" || entry.state === "created"; }

  function flushAll() {
    return all().then(function (entries) {
      var outcomes = {};
      return entries.filter(pending).reduce(function (chain, entry) {
        return chain.then(function () {
          return send(entry).then(function (outcome) { outcomes[entry.id] = outcome; });
        });
      }, Promise.resolve()).then(function () { return outcomes; });
    });
  }

  /* Send every waiting entry, one sender at a time across the page and the worker. */
  function flush() {
    var locks = root.navigator && root.navigator.locks;
    if (locks && typeof locks.request === "function") {
      return locks.request(CHANNEL, flushAll);
    }
    return flushAll();
  }

  /* After the access code was shown: keep it only if the citizen asked to, then forget the
     entry (the tracking number, title and date stay in "Laporan saya"). */
  function acknowledge(entry, keepCode) {
    return minePut({ tracking_number: entry.tracking_number, title: entry.title,
                     created_at: entry.created_at,
                     access_code: keepCode ? entry.access_code : "" })
      .then(function () {
        // Photos still to send: the entry (and its code, needed to send them) stays until then.
        if (entry.state === "created") {
          return get(entry.id).then(function (stored) {
            if (!stored) { return null; }
            if (stored.state !== "created") { return remove(entry.id); }
            stored.acknowledged = true;
            return put(stored);
          });
        }
        return remove(entry.id);
      });
  }

  root.LaporQueue = {
    CHANNEL: CHANNEL, SYNC_TAG: CHANNEL, SOURCE: SOURCE, onchange: null,
    create: create, put: put, replace: replace, get: get, all: all, remove: remove, flush: flush, send: send,
    acknowledge: acknowledge, pending: pending,
    mine: { all: mineAll, put: minePut, remove: mineRemove }
  };
})(typeof self !== "undefined" ? self : this);
