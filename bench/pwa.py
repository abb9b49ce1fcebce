"""The citizen app on a slow phone link (issue 19 "Measured"; not a test).

Runs Debian's Chromium through Playwright against a server that is already up (`make run`, or
`lapor serve` on a demo data dir) on a 360x780 touch phone with Chromium's "Slow 3G" profile
(400 kbit/s down and up, 400 ms round trip, CDP ``Network.emulateNetworkConditions``), and prints:

* **first load**: bytes received from the network (compressed, headers included: CDP
  ``encodedDataLength``) for the home page until its ``load`` event, in a fresh profile; then
  what the service worker downloads when it installs (its precache: the app shell, Leaflet,
  exifr, icons), counted from the worker's own requests;
* **form usable**: milliseconds from the start of the navigation to ``/lapor/`` until the form
  can be used: ``DOMContentLoaded`` has fired (every deferred script, ``report-form.js`` among
  them, has run) and the submit button is enabled; cold (nothing cached) and warm (the worker
  controls the page);
* **repeat visit**: bytes from the network for the home page again once the worker controls it
  (the page, network first: a 304 when the worker's kept copy is still right, plus anything the
  worker does not answer from its cache).

    /work/main/.venv/bin/python bench/pwa.py --base http://127.0.0.1:8112 --runs 3

Throttling applies to the page's requests; the worker's own fetches (its precache and the
network-first page fetch it makes for a navigation) are counted but not slowed, so the repeat
visit's time is optimistic; its bytes are exact.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, CDPSession, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError

CHROMIUM = "/usr/bin/chromium"
SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 400_000 / 8,
           "uploadThroughput": 400_000 / 8}
PHONE = {"viewport": {"width": 360, "height": 780}, "is_mobile": True, "has_touch": True,
         "locale": "id-ID", "timezone_id": "Asia/Makassar"}


class Meter:
    """Bytes received by one page (CDP), and by the context's service worker (Playwright)."""

    def __init__(self, context: BrowserContext, page: Page) -> None:
        self.cdp: CDPSession = context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.cdp.send("Network.emulateNetworkConditions", SLOW_3G)
        self.page_bytes = 0
        self.page_requests = 0
        self.from_worker: set[str] = set()
        self.worker_bytes = 0
        self.worker_requests = 0
        self.urls: list[str] = []
        self.cdp.on("Network.responseReceived", self._response)
        self.cdp.on("Network.loadingFinished", self._finished)
        context.on("requestfinished", self._worker_request)
        # Playwright reports a 304 the worker received (its revalidation of a kept page) as
        # "requestfailed" (net::ERR_ABORTED, no body), but its headers did come: counted too.
        context.on("requestfailed", self._worker_revalidated)

    def _response(self, event: dict[str, Any]) -> None:
        if event["response"].get("fromServiceWorker"):
            self.from_worker.add(event["requestId"])

    def _finished(self, event: dict[str, Any]) -> None:
        # An answer the worker gave (from its cache or from its own fetch) is not counted
        # here; the worker's own network fetches are counted in _worker_request.
        if event["requestId"] not in self.from_worker:
            self.page_bytes += int(event["encodedDataLength"])
            self.page_requests += 1
            self.urls.append(f"page {int(event['encodedDataLength'])} {event['requestId']}")

    def _worker_request(self, request: Any) -> None:
        if request.service_worker is None:
            return
        try:
            sizes = request.sizes()
        except PlaywrightError:  # a request still finishing as the context closes
            return
        self.worker_bytes += sizes["responseHeadersSize"] + sizes["responseBodySize"]
        self.worker_requests += 1
        self.urls.append(f"worker {sizes['responseHeadersSize'] + sizes['responseBodySize']} "
                         f"{request.url}")

    def _worker_revalidated(self, request: Any) -> None:
        if request.service_worker is None:
            return
        try:
            answered = request.response() is not None
        except PlaywrightError:  # the context is closing
            return
        if answered:
            self._worker_request(request)

    def reset(self) -> None:
        self.page_bytes = self.page_requests = self.worker_bytes = self.worker_requests = 0
        self.from_worker.clear()
        self.urls.clear()


def form_usable_ms(page: Page, url: str) -> float:
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_function(
        "document.readyState !== 'loading' && "
        "!document.querySelector('#report-form [type=submit]').disabled")
    return float(page.evaluate("""() => {
        const nav = performance.getEntriesByType('navigation')[0];
        return nav.domContentLoadedEventEnd - nav.startTime;
    }"""))


def fresh_phone(playwright: Any, profile: str) -> tuple[BrowserContext, Page]:
    context = playwright.chromium.launch_persistent_context(
        Path(profile), executable_path=CHROMIUM, headless=True,
        args=["--no-sandbox", "--disable-gpu"], **PHONE)
    return context, context.pages[0] if context.pages else context.new_page()


def form_cold(playwright: Any, base: str) -> float:
    """The report form opened first, in a fresh profile (nothing cached, no worker)."""
    with tempfile.TemporaryDirectory() as profile:
        context, page = fresh_phone(playwright, profile)
        try:
            Meter(context, page)
            return form_usable_ms(page, f"{base}/lapor/")
        finally:
            context.close()


def one_run(playwright: Any, base: str, *, verbose: bool, worker: bool) -> dict[str, float]:
    result: dict[str, float] = {"form_cold_ms": form_cold(playwright, base)}
    with tempfile.TemporaryDirectory() as profile:
        context, page = fresh_phone(playwright, profile)
        try:
            meter = Meter(context, page)
            page.goto(f"{base}/?source=pwa", wait_until="load")
            result["first_kb"] = meter.page_bytes / 1000
            result["first_requests"] = meter.page_requests
            if not worker:  # a server without the app (the baseline)
                return result
            page.evaluate("navigator.serviceWorker.ready.then(() => true)")
            page.wait_for_timeout(1500)  # the worker's install finishes (precache)
            if verbose:
                print("first load + install:", *meter.urls, sep="\n  ")
            result["install_kb"] = meter.worker_bytes / 1000
            result["install_requests"] = meter.worker_requests
            result["first_total_kb"] = result["first_kb"] + result["install_kb"]

            page.reload(wait_until="load")  # now controlled
            assert page.evaluate("navigator.serviceWorker.controller !== null")
            page.wait_for_timeout(500)
            meter.reset()
            page.goto(f"{base}/?source=pwa", wait_until="load")
            page.wait_for_timeout(500)
            if verbose:
                print("repeat visit:", *meter.urls, sep="\n  ")
            result["repeat_kb"] = (meter.page_bytes + meter.worker_bytes) / 1000
            result["repeat_requests"] = meter.page_requests + meter.worker_requests

            result["form_warm_ms"] = form_usable_ms(page, f"{base}/lapor/")
            return result
        finally:
            context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-worker", action="store_true",
                        help="only the cold form and the first load (a server without the app)")
    parser.add_argument("--verbose", action="store_true", help="list every request counted")
    args = parser.parse_args()
    runs = []
    with sync_playwright() as playwright:
        for _ in range(args.runs):
            runs.append(one_run(playwright, args.base.rstrip("/"), verbose=args.verbose,
                                worker=not args.no_worker))
    print(f"{'metric':<18}" + "".join(f"{'run ' + str(i + 1):>10}" for i in range(len(runs)))
          + f"{'median':>10}")
    for key in runs[0]:
        values = [r[key] for r in runs]
        print(f"{key:<18}" + "".join(f"{v:>10.1f}" for v in values)
              + f"{statistics.median(values):>10.1f}")


if __name__ == "__main__":
    main()
