"""A full citizen-and-officer journey over HTTP against a running demo (``make run``), and the
check of the server's log afterwards (issue #18: "the demo works end to end").

Used by ``tests/test_demo_journey.py``; also runnable by hand beside ``make run``::

    make run > var/run.log 2>&1 &        # wait for "Lapor is serving on …"
    .venv/bin/python -m tests.demo_journey http://127.0.0.1:8000 var/run.log

The journey: a citizen submits a complaint with an e-mail address and a photo; the hub
verifier of Kutai Timur (``kominfo``) disposes it to Dinas PUPR; PUPR's liaison (``pupr``)
acknowledges and sends the final follow-up; the reporter accepts it with a rating. Staff sign
in with the demo authenticator key (docs/security.md).
"""

from __future__ import annotations

import base64
import json
import re
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from django_otp.oath import totp
from PIL import Image

DEMO_PASSWORD = "lapor-demo-2026"
DEMO_TOTP_KEY = "LAPORDEMOLAPORDEMOLAPORDEMOLAPOR"
HUB, LIAISON = "kominfo", "pupr"
# What a clean log never contains: a traceback, or a line logged at ERROR/CRITICAL.
LOG_PROBLEM = re.compile(r"Traceback \(most recent call last\)|\b(ERROR|CRITICAL)\b")


@dataclass
class Journey:
    tracking_number: str
    report_id: int
    status: str


def _call(base: str, method: str, path: str, *, body: Any = None, headers: dict[str, str] |
          None = None, raw: bytes | None = None, content_type: str = "application/json",
          expect: int = 200) -> Any:
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    request = urllib.request.Request(  # noqa: S310  (the local demo server)
        f"{base}/api/v1{path}", data=data, method=method,
        headers={"Content-Type": content_type, "Accept-Language": "en", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            status, text = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read()
    if status != expect:
        raise AssertionError(f"{method} {path}: {status} {text[:500]!r}")
    return json.loads(text) if text else None


def _photo() -> bytes:
    out = BytesIO()
    Image.new("RGB", (64, 48), (180, 90, 40)).save(out, "JPEG")
    return out.getvalue()


def _multipart(field: str, name: str, content_type: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; "
            f"filename=\"{name}\"\r\nContent-Type: {content_type}\r\n\r\n").encode()
    body += data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def _login(base: str, username: str) -> dict[str, str]:
    code = totp(base64.b32decode(DEMO_TOTP_KEY), step=30, t0=0, digits=6)
    token = _call(base, "POST", "/auth/login", body={
        "username": username, "password": DEMO_PASSWORD, "otp": f"{code:06d}"})["token"]
    return {"Authorization": f"Bearer {token}"}


def run_journey(base: str, *, email: str = "warga.uji@example.org") -> Journey:
    submitted = _call(base, "POST", "/reports", expect=201, body={
        "type": "complaint",
        "title": "Jalan berlubang di depan pasar induk",
        "body": "Lubang besar di Jalan Yos Sudarso depan pasar induk membahayakan pengendara "
                "motor, terutama malam hari.",
        "region_code": "64.08.04",
        "target_agency_code": "kutim",
        "reporter_name": "Warga Uji",
        "reporter_email": email,
    })
    number, code = submitted["tracking_number"], submitted["access_code"]
    reporter = {"X-Access-Code": code}
    photo, content_type = _multipart("file", "lubang.jpg", "image/jpeg", _photo())
    _call(base, "POST", f"/track/{number}/attachments", raw=photo, content_type=content_type,
          headers=reporter, expect=201)

    hub = _login(base, HUB)
    inbox = _call(base, "GET", "/inbox?node=kutim", headers=hub)
    report_id = next(item["id"] for item in inbox["items"]
                     if item["tracking_number"] == number)
    _call(base, "POST", f"/reports/{report_id}/dispose", body={"node": "kutim-pupr"},
          headers=hub)
    liaison = _login(base, LIAISON)
    _call(base, "POST", f"/reports/{report_id}/acknowledge", body={}, headers=liaison)
    _call(base, "POST", f"/reports/{report_id}/follow-ups", headers=liaison, body={
        "body": "Lubang sudah ditambal oleh tim Bina Marga pada hari ini.", "final": True})
    closed = _call(base, "POST", f"/track/{number}/reply", headers=reporter,
                   body={"accept": True, "rating": 5})
    return Journey(tracking_number=number, report_id=report_id, status=closed["status"])


def log_problems(log: str) -> list[str]:
    """The lines of a server log that show something went wrong (tracebacks, ERROR)."""
    return [line for line in log.splitlines() if LOG_PROBLEM.search(line)]


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m tests.demo_journey BASE_URL RUN_LOG", file=sys.stderr)
        return 2
    base, log_path = argv[0].rstrip("/"), Path(argv[1])
    journey = run_journey(base)
    print(f"journey: report {journey.tracking_number} {journey.status}")
    time.sleep(15)  # the worker delivers the journey's notifications meanwhile
    problems = log_problems(log_path.read_text(encoding="utf-8", errors="replace"))
    for line in problems:
        print(line)
    print(f"{log_path}: {len(problems)} problem lines")
    return 1 if problems or journey.status != "closed" else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
