"""The citizen app's service worker parts.

``SW_PARTS`` are static files the service worker (/sw.js) loads with ``importScripts``, in
this order: the outbox shared with the pages (``LaporQueue``), then its Background Sync
handler (docs/portal.md "The offline queue").
"""

SW_PARTS = ["portal/app-queue.js", "portal/sw-queue.js"]
