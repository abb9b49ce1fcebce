"""The service worker's parts: /sw.js importScripts() each static path in ``SW_PARTS``."""

SW_PARTS = ["portal/sw-push.js"]
