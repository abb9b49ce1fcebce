"""The Web Push opt-in and the worker's push handler in Debian's chromium on a 360-px phone.

What a headless browser can and cannot do here: Chromium subscribes through Google's push
service (FCM), which this machine cannot reach, so ``pushManager.subscribe`` fails and the page
must say so; the delivery and decryption path is tested against a local push service in
tests/test_webpush.py. Here: the card appears only for the proven reporter and only once a
service worker is registered, the failure is shown, and a push message delivered through the
DevTools protocol (``ServiceWorker.deliverPushMessage``) makes sw-push.js show the notification
with the payload's title, body, tag, page and "Berhenti" action.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from lapor.notifications.vapid import generate_private_key
from tests.browser.conftest import axe_check, screenshot, worker_ready
from tests.factories import Tree, submit

pytestmark = pytest.mark.django_db(transaction=True)

CARD = "[data-push]"


# Chromium's own line when subscribe() fails in a profile without a push service; the page
# handles the failure (the status text below).
CHROMIUM_PUSH_NOTICE = "does not support the Push API in incognito mode"


def test_push_card_and_worker_handler(context: BrowserContext, live_server: LiveServer,
                                      settings: Any, regions: None, tree: Tree) -> None:
    # Our own page and console watch (instead of the ``page`` fixture's), to let that one
    # line of Chromium's through and fail on anything else.
    page: Page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    settings.LAPOR_VAPID_PRIVATE_KEY = generate_private_key()
    submitted = submit(tree, is_confidential=True)
    number = submitted.report.tracking_number
    base = live_server.url
    # Every portal page registers the worker (pwa.js); held back here until the step that
    # checks the card waits for a registered worker.
    page.route(re.compile(r"/static/portal/pwa(\.[0-9a-f]{12})?\.js$"),
               lambda route: route.fulfill(body="", content_type="text/javascript"))
    page.goto(f"{base}/lacak/{number}/")
    assert page.locator(CARD).count() == 0  # a stranger is offered nothing
    page.get_by_label("Kode akses").fill(submitted.access_code)
    page.get_by_role("button", name="Buka laporan saya").click()
    expect(page.get_by_text("Kode akses diterima")).to_be_visible()
    # Proven, but no service worker on this site yet: still not offered.
    expect(page.locator(CARD)).to_be_hidden()
    # The site's own worker (lapor.portal.pwa; it imports the Web Push part), as pwa.js would
    # register it; the card is offered once it runs and notifications may be asked for.
    worker_ready(page, register=True)
    context.grant_permissions(["notifications"], origin=base)
    page.reload()
    card = page.locator(CARD)
    expect(card).to_be_visible()
    button = card.get_by_role("button", name="Kabari saya lewat notifikasi di HP ini")
    expect(button).to_be_visible()
    expect(card.get_by_role("button", name="Hentikan notifikasi")).to_be_hidden()
    assert submitted.access_code not in (card.evaluate("e => e.outerHTML") or "")
    axe_check(page)
    screenshot(page, "portal-push-card")
    button.click()
    # No reachable push service for headless Chromium: the page says it did not work.
    expect(card.locator("[data-push-status]")).to_have_text(
        "Notifikasi tidak dapat diaktifkan. Coba lagi nanti.", timeout=30_000)
    expect(button).to_be_enabled()

    # The worker's push handler, fed through the DevTools protocol.
    cdp = context.new_cdp_session(page)
    registrations: list[dict[str, Any]] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated",
           lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    page.wait_for_timeout(500)
    [registration] = [r for r in registrations if not r.get("isDeleted")
                      and r["scopeURL"] == f"{base}/"]
    payload = {"title": f"LAPOR! #{number}", "body": "Laporan Anda sedang diproses.",
               "url": f"/lacak/{number}/", "unsubscribe": "/lacak/berhenti/abc/",
               "stop": "Berhenti", "stopped": "Notifikasi dihentikan.", "tag": "t" * 32,
               "icon": "/static/lapor/favicon.svg"}
    cdp.send("ServiceWorker.deliverPushMessage", {
        "origin": base, "registrationId": registration["registrationId"],
        "data": json.dumps(payload)})
    shown = page.evaluate("""async () => {
        const registration = await navigator.serviceWorker.ready;
        for (let i = 0; i < 150; i += 1) {  // up to 15 s: a loaded machine is slow
            const list = await registration.getNotifications();
            if (list.length) {
                return list.map(n => ({title: n.title, body: n.body, tag: n.tag, data: n.data,
                                       actions: n.actions.map(a => [a.action, a.title])}));
            }
            await new Promise(resolve => setTimeout(resolve, 100));
        }
        return [];
    }""")
    assert shown == [{
        "title": f"LAPOR! #{number}", "body": "Laporan Anda sedang diproses.",
        "tag": "t" * 32,
        "data": {"url": f"/lacak/{number}/", "unsubscribe": "/lacak/berhenti/abc/",
                 "title": f"LAPOR! #{number}", "stopped": "Notifikasi dihentikan."},
        "actions": [["stop", "Berhenti"]],
    }]
    assert [p for p in problems if CHROMIUM_PUSH_NOTICE not in p] == []
