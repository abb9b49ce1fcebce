/* LAPOR! citizen app service worker, version {{ version }}.
   Rendered by lapor.portal.views.app from lapor/portal/pwa.py (what to precache, what never to
   keep, the extra parts); any change there or in a hashed static file changes this text, and
   the browser installs the new worker. docs/portal.md "The citizen app". */
"use strict";
var CONFIG = {{ config_json|safe }};
var CACHE = "lapor-" + CONFIG.version;
self.LAPOR_SW = { version: CONFIG.version, cache: CACHE, name: CONFIG.appName };
if (CONFIG.parts.length) { importScripts.apply(self, CONFIG.parts); }

var HASHED = /\.[0-9a-f]{12}\.[A-Za-z0-9]+$/;

function isShellPage(path) { return CONFIG.pages.indexOf(path) >= 0; }
function neverCached(path) {
  return CONFIG.never.some(function (prefix) { return path.indexOf(prefix) === 0; });
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    // Pages without cookies: the kept copies name no account and hold no session.
    var pages = CONFIG.pages.map(function (path) {
      return fetch(new Request(path, { credentials: "omit" })).then(function (response) {
        if (!response.ok) { throw new Error("precache " + path + ": " + response.status); }
        return cache.put(path, response);
      });
    });
    return Promise.all([cache.addAll(CONFIG.static)].concat(pages));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("lapor-") === 0 && name !== CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function fromCache(key) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(key, { ignoreVary: true });
  });
}

function offlinePage() {
  return fromCache(CONFIG.offline).then(function (page) { return page || Response.error(); });
}

// Pages: the network first (always fresh); without a connection the kept copy of a shell page,
// or the offline page for anything else. A shell page whose network answer has not come within
// CONFIG.shellWait ms (a weak signal) opens from its kept copy; the late answer still refreshes
// the copy (the event waits for it).
// A shell page is asked for with its kept copy's ETag: the server answers 304 (a few hundred
// bytes) while the page is unchanged, and the kept copy is the answer (lapor.portal.pwa).
// The promise gives [response, kept]: kept is true when the kept copy was confirmed.
function revalidate(request, url) {
  return fromCache(url.pathname).then(function (kept) {
    var etag = kept && kept.headers.get("ETag");
    if (!etag) { return fetch(request).then(function (response) { return [response, false]; }); }
    var headers = new Headers(request.headers);
    headers.set("If-None-Match", etag);
    return fetch(new Request(request, { headers: headers })).then(function (response) {
      return response.status === 304 ? [kept, true] : [response, false];
    });
  });
}

function navigate(event, request, url) {
  var shell = isShellPage(url.pathname) && !neverCached(url.pathname);
  var asked = shell ? revalidate(request, url) : fetch(request).then(function (response) {
    return [response, false];
  });
  var network = asked.then(function (answer) {
    var response = answer[0];
    if (answer[1]) { return response; }  // the kept copy, confirmed by a 304
    if (response.ok && shell && response.headers.get(CONFIG.shellHeader)) {
      var copy = response.clone();
      return caches.open(CACHE).then(function (cache) { return cache.put(url.pathname, copy); })
        .then(function () { return response; }, function () { return response; });
    }
    return response;
  });
  if (!isShellPage(url.pathname)) { return network.catch(offlinePage); }
  event.waitUntil(network.catch(function () { return null; }));
  return new Promise(function (resolve) {
    var answered = false;
    function answer(response) { if (!answered) { answered = true; resolve(response); } }
    var timer = setTimeout(function () {
      fromCache(url.pathname).then(function (page) { if (page) { answer(page); } });
    }, CONFIG.shellWait);
    network.then(function (response) { clearTimeout(timer); answer(response); }, function () {
      clearTimeout(timer);
      fromCache(url.pathname).then(function (page) { return page || offlinePage(); }).then(answer);
    });
  });
}

// Static files: a hashed name never changes its content, so the cache answers first; an
// unhashed one (development, tests) is fetched first and the cache is the fallback.
function staticFile(request, url) {
  var key = url.origin + url.pathname;
  if (HASHED.test(url.pathname)) {
    return fromCache(key).then(function (hit) {
      return hit || fetch(request).then(function (response) {
        if (response.ok && response.type === "basic") {
          var copy = response.clone();
          caches.open(CACHE).then(function (cache) { return cache.put(key, copy); });
        }
        return response;
      });
    });
  }
  return fetch(request).catch(function () {
    return fromCache(key).then(function (hit) { return hit || Response.error(); });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate") {
    event.respondWith(navigate(event, request, url));
  } else if (url.pathname.indexOf(CONFIG.staticPrefix) === 0) {
    event.respondWith(staticFile(request, url));
  }
  // Everything else (the API, /lacak/, staff pages, uploads) goes to the network untouched.
});
