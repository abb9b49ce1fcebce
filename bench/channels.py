"""Inbound webhook latency of every channel under 50 concurrent deliveries (a measurement, not
a test).

    .venv/bin/python bench/channels.py                      # 10 s per channel, 50 connections
    .venv/bin/python bench/channels.py --duration 3         # a quick look

1. Database ``postgres://postgres@127.0.0.1:5432/lapor_bench_channels`` (``--database-url`` or
   ``$LAPOR_BENCH_DATABASE_URL``; ``$DATABASE_URL`` is deliberately ignored), created if
   missing, migrated, with the demo's Kutai Timur tree (``lapor demo --reports 0``).
2. Local fake providers (``lapor/channels/tests/fakes.py``: Twilio, Kannel, Telegram,
   WhatsApp Graph, X) in this process, so answers leave and succeed.
3. ``lapor serve --workers 2 --threads 4 --task-workers 1`` on a free 127.0.0.1 port with every
   channel's secret set and its provider base URL pointing at the fakes (as bench/run.py).
4. Per channel: distinct messages in the provider's real shape, each signed as the provider
   signs it, prepared in Python and replayed by wrk (``--concurrency`` connections,
   ``--duration`` seconds after a ``--warmup-seconds`` warm-up on other messages); wrk's
   latency percentiles are the time to the 2xx answer (the webhook records the message and
   enqueues its processing; the work itself is the task worker's, running meanwhile). wrk
   comes from Debian (``apt-get install -y wrk``).
5. Print a Markdown table and write ``bench/results/channels-<UTC timestamp>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))

from bench.run import (  # noqa: E402
    LUA_COMMON,
    SERVE_THREADS,
    ensure_database,
    free_port,
    log,
    run_wrk,
    serve,
    sh,
    wait_healthy,
)
from lapor.channels.tests.fakes import (  # noqa: E402
    fake_providers,
    hub_signature,
    twilio_signature,
    x_signature,
)

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/lapor_bench_channels"
SECRETS = {
    "LAPOR_TWILIO_AUTH_TOKEN": "bench-twilio-token-0123456789",
    "LAPOR_TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "LAPOR_TWILIO_FROM": "+15005550006",
    "LAPOR_KANNEL_SECRET": "bench-kannel-secret-0123456789",
    "LAPOR_KANNEL_USERNAME": "lapor", "LAPOR_KANNEL_PASSWORD": "pw",
    "LAPOR_WHATSAPP_APP_SECRET": "bench-wa-secret-0123456789",
    "LAPOR_WHATSAPP_VERIFY_TOKEN": "bench-wa-verify-0123456789",
    "LAPOR_WHATSAPP_ACCESS_TOKEN": "bench-wa-access", "LAPOR_WHATSAPP_PHONE_NUMBER_ID": "1065",
    "LAPOR_TELEGRAM_SECRET_TOKEN": "bench-tg-secret-0123456789",
    "LAPOR_TELEGRAM_BOT_TOKEN": "1:bench",
    "LAPOR_X_CONSUMER_SECRET": "bench-x-secret-0123456789", "LAPOR_X_ACCESS_TOKEN": "bench-x",
    "LAPOR_CHANNELS_DEFAULT_REGION": "64.08",
}
TEXT = "KUTIM jalan rusak di depan pasar 🚧 tolong diperbaiki {n}"

Request = tuple[str, bytes | None, dict[str, str], str]  # path, body, headers, method


def twilio(base: str, n: int) -> Request:
    url = f"{base}/channels/sms/twilio"
    params = {"MessageSid": f"SM{n:032d}", "SmsSid": f"SM{n:032d}", "AccountSid": "AC" + "0" * 32,
              "From": f"+62812{n % 10**7:07d}", "To": "+15005550006",
              "Body": TEXT.format(n=n), "NumMedia": "0", "NumSegments": "1",
              "ApiVersion": "2010-04-01"}
    signature = twilio_signature(SECRETS["LAPOR_TWILIO_AUTH_TOKEN"], url, params)
    return (url, urllib.parse.urlencode(params).encode(),
            {"Content-Type": "application/x-www-form-urlencoded",
             "X-Twilio-Signature": signature}, "POST")


def kannel(base: str, n: int) -> Request:
    query = urllib.parse.urlencode({"secret": SECRETS["LAPOR_KANNEL_SECRET"],
                                    "sender": f"62813{n % 10**7:07d}", "receiver": "1708",
                                    "text": TEXT.format(n=n), "id": f"bench-kannel-{n}"})
    return f"{base}/channels/sms/kannel?{query}", None, {}, "GET"


def telegram(base: str, n: int) -> Request:
    update = {"update_id": 10**6 + n, "message": {
        "message_id": n, "date": 1780000000, "text": "/lapor",
        "from": {"id": 10**8 + n, "is_bot": False, "first_name": "Bench"},
        "chat": {"id": 10**8 + n, "type": "private", "first_name": "Bench"}}}
    return (f"{base}/channels/telegram", json.dumps(update).encode(),
            {"Content-Type": "application/json",
             "X-Telegram-Bot-Api-Secret-Token": SECRETS["LAPOR_TELEGRAM_SECRET_TOKEN"]}, "POST")


def whatsapp(base: str, n: int) -> Request:
    payload = {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{
        "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550783881", "phone_number_id": "1065"},
            "contacts": [{"profile": {"name": "Bench"}, "wa_id": f"62814{n % 10**7:07d}"}],
            "messages": [{"from": f"62814{n % 10**7:07d}", "id": f"wamid.bench{n}",
                          "timestamp": "1780000000", "type": "text",
                          "text": {"body": "Halo LAPOR 👋"}}]}}]}]}
    raw = json.dumps(payload, ensure_ascii=False).encode()
    return (f"{base}/channels/whatsapp", raw,
            {"Content-Type": "application/json",
             "X-Hub-Signature-256": hub_signature(SECRETS["LAPOR_WHATSAPP_APP_SECRET"], raw)},
            "POST")


def x(base: str, n: int) -> Request:
    tweet_id = str(10**18 + n)
    payload = {"for_user_id": "2244994945", "tweet_create_events": [{
        "id": int(tweet_id), "id_str": tweet_id, "text": f"#LAPOR {TEXT.format(n=n)} @LAPOR1708",
        "user": {"id_str": str(10**7 + n), "name": "Bench", "screen_name": f"bench{n}"},
        "entities": {"hashtags": [{"text": "LAPOR"}], "user_mentions": []}}]}
    raw = json.dumps(payload, ensure_ascii=False).encode()
    return (f"{base}/channels/x", raw,
            {"Content-Type": "application/json",
             "X-Twitter-Webhooks-Signature": x_signature(SECRETS["LAPOR_X_CONSUMER_SECRET"],
                                                         raw)}, "POST")


CHANNELS: dict[str, Callable[[str, int], Request]] = {
    "sms/twilio": twilio, "sms/kannel": kannel, "telegram": telegram, "whatsapp": whatsapp,
    "x": x}


def lua_bytes(value: bytes) -> str:
    """A Lua string literal of any bytes (LuaJIT has no \\u escapes: decimal ones)."""
    out = []
    for byte in value:
        ch = chr(byte)
        out.append(ch if 32 <= byte < 127 and ch not in '"\\' else f"\\{byte:03d}")
    return '"' + "".join(out) + '"'


LUA_REQUESTS = r"""
local tid_counter = 0
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", tid_counter)
  tid_counter = tid_counter + 1
end
function init(args)
  position = tid
end
request = function()
  local r = REQS[(position % #REQS) + 1]
  position = position + WRK_THREADS
  return r
end
"""


def wrk_requests_script(tmp: Path, name: str, requests: list[Request], wrk_threads: int) -> Path:
    lines = [f"EXPECTED = 200\nWRK_THREADS = {wrk_threads}\nREQS = {{}}"]
    for url, body, headers, method in requests:
        parts = urllib.parse.urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        # wrk.format with a header table sends only those headers: Host included.
        lua_headers = "{" + ", ".join(f"[{lua_bytes(k.encode())}] = {lua_bytes(v.encode())}"
                                      for k, v in {"Host": parts.netloc, **headers}.items()
                                      ) + "}"
        lua_body = lua_bytes(body) if body is not None else "nil"
        lines.append(f"REQS[#REQS + 1] = wrk.format({lua_bytes(method.encode())}, "
                     f"{lua_bytes(path.encode())}, {lua_headers}, {lua_body})")
    script = tmp / f"{name.replace('/', '-')}.lua"
    script.write_text("\n".join(lines) + "\n" + LUA_COMMON + LUA_REQUESTS)
    return script


def measure(name: str, base: str, args: argparse.Namespace, offset: int, tmp: Path
            ) -> dict[str, Any]:
    """A warm-up run, then the measured run, each over messages never sent before."""
    build = CHANNELS[name]
    warm = [build(base, offset + i) for i in range(args.warmup)]
    load = [build(base, offset + args.warmup + i) for i in range(args.requests)]
    threads = args.wrk_threads
    run_wrk(base, wrk_requests_script(tmp, f"warm-{name}", warm, threads),
            connections=args.concurrency, threads=threads, duration=args.warmup_seconds)
    summary, client_jiffies = run_wrk(base, wrk_requests_script(tmp, name, load, threads),
                                      connections=args.concurrency, threads=threads,
                                      duration=args.duration)
    single: dict[str, Any] = {}
    if args.c1_duration > 0:  # service time without queueing: one connection
        alone = [build(base, offset + args.warmup + args.requests + i)
                 for i in range(args.warmup)]
        single, _ = run_wrk(base, wrk_requests_script(tmp, f"c1-{name}", alone, 1),
                            connections=1, threads=1, duration=args.c1_duration)
    latency = summary["latency_us"]
    seconds = summary["duration_us"] / 1e6
    row = {"channel": name, "requests": summary["requests"],
           "unique_messages": min(summary["requests"], args.requests),
           "non_2xx": summary["unexpected"],
           "first_unexpected_status": summary["first_unexpected_status"],
           "socket_errors": sum(summary["socket_errors"].values()),
           "rps": round(summary["requests"] / seconds, 1),
           "p50_ms": round(latency["p50"] / 1000, 1), "p95_ms": round(latency["p95"] / 1000, 1),
           "p99_ms": round(latency["p99"] / 1000, 1), "max_ms": round(latency["max"] / 1000, 1),
           "client_cpu_jiffies": client_jiffies,
           "c1_p50_ms": round(single["latency_us"]["p50"] / 1000, 1) if single else None,
           "c1_p99_ms": round(single["latency_us"]["p99"] / 1000, 1) if single else None}
    log(f"{name}: {row}")
    return row


def markdown(rows: list[dict[str, Any]], args: argparse.Namespace) -> str:
    lines = ["| channel | requests | non-2xx | req/s | p50 ms | p95 ms | p99 ms | max ms "
             "| 1 conn. p50 / p99 ms |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| `{r['channel']}` | {r['requests']} | {r['non_2xx']} | {r['rps']} | "
                     f"{r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | {r['max_ms']} "
                     f"| {r['c1_p50_ms']} / {r['c1_p99_ms']} |")
    return "\n".join(lines) + (f"\n\nwrk, {args.concurrency} connections, {args.duration:g} s "
                               f"per channel after a {args.warmup_seconds:g} s warm-up.")


def lapor(cmd: list[str], env: dict[str, str]) -> None:
    result = subprocess.run([sys.executable, "-m", "lapor.cli", *cmd], env=env, cwd=REPO,  # noqa: S603
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"lapor {' '.join(cmd)} failed:\n{result.stdout}\n{result.stderr}")


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--database-url",
                   default=os.environ.get("LAPOR_BENCH_DATABASE_URL", DEFAULT_DB))
    p.add_argument("--requests", type=int, default=6000,
                   help="distinct messages prepared per channel (more than a run sends)")
    p.add_argument("--warmup", type=int, default=1500, help="distinct warm-up messages")
    p.add_argument("--duration", type=float, default=10, help="seconds measured per channel")
    p.add_argument("--warmup-seconds", type=float, default=3)
    p.add_argument("--wrk-threads", type=int, default=2)
    p.add_argument("--c1-duration", type=float, default=3,
                   help="seconds at one connection per channel (0: skip)")
    p.add_argument("--concurrency", type=int, default=50)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads", type=int, default=SERVE_THREADS)
    p.add_argument("--task-workers", type=int, default=1)
    p.add_argument("--channels", default=",".join(CHANNELS))
    p.add_argument("--data-dir", type=Path, default=None)
    return p.parse_args()


def main() -> None:
    args = parse_args()
    if args.task_workers < 1:
        sys.exit("--task-workers must be at least 1: /healthz waits for a worker's heartbeat")
    # SIGTERM unwinds like Ctrl-C, so the server's process group is stopped (serve()'s finally).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if "bench" not in urllib.parse.urlparse(args.database_url).path:
        sys.exit("the benchmark database name must contain 'bench' (its data is disposable)")
    # A stable data directory: collected static files are reused by the next run.
    args.data_dir = args.data_dir or Path(tempfile.gettempdir()) / "lapor-bench-channels"
    args.data_dir.mkdir(parents=True, exist_ok=True)
    ensure_database(args.database_url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with fake_providers() as fake:
        env = dict(os.environ, DATABASE_URL=args.database_url, LAPOR_DATA_DIR=str(args.data_dir),
                   LAPOR_DEMO_MODE="1", **SECRETS,
                   LAPOR_TWILIO_API_BASE=fake.url, LAPOR_TWILIO_WEBHOOK_URL=
                   f"{base}/channels/sms/twilio",
                   LAPOR_KANNEL_SENDSMS_URL=f"{fake.url}/cgi-bin/sendsms",
                   LAPOR_WHATSAPP_GRAPH_BASE=f"{fake.url}/v21.0",
                   LAPOR_TELEGRAM_API_BASE=fake.url, LAPOR_X_API_BASE=fake.url)
        env.pop("LAPOR_SECRET_KEY", None)
        log("migrate and demo tree")
        lapor(["migrate", "--noinput", "-v", "0"], env)
        lapor(["demo", "--reports", "0"], env)
        os.environ.update({k: v for k, v in env.items() if k.startswith("LAPOR_")})
        offset = int(time.time()) * 10  # message ids never seen by an earlier run
        rows = []
        with serve(args, port, args.data_dir) as proc:
            wait_healthy(base, proc, 900)  # the first start collects static files
            for name in args.channels.split(","):
                rows.append(measure(name, base, args, offset, args.data_dir))
                offset += args.requests + args.warmup
            # Let the task worker catch up a little so answers reach the fakes (not timed).
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and len(fake.requests) < len(rows):
                time.sleep(1)
        answered = len(fake.requests)
    results = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpu": sh(["sh", "-c", "lscpu | grep 'Model name'"]),
                    "nproc": os.cpu_count(), "kernel": platform.release(),
                    "loadavg_after": os.getloadavg()},
        "args": {k: str(v) for k, v in vars(args).items()},
        "rows": rows, "provider_calls_seen": answered,
    }
    out = BENCH / "results" / f"channels-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(markdown(rows, args))
    log(f"wrote {out}")


if __name__ == "__main__":
    threading.current_thread().name = "bench"
    main()
