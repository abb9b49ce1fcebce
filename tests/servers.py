"""Real server processes for the multi-process tests: granian application servers and task
workers started from this interpreter against the test database (PostgreSQL)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import Message

from django.db import connection


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def database_url(name: str | None = None) -> str:
    """The URL of the test database (or of another database on the same server)."""
    db = connection.settings_dict
    user = db["USER"] or "postgres"
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{user}@{host}:{port}/{name or db['NAME']}"


@dataclass
class Answer:
    status: int
    body: bytes
    headers: Message


def http(url: str, *, method: str = "GET", body: bytes | None = None,
         headers: dict[str, str] | None = None, timeout: float = 30) -> Answer:
    request = urllib.request.Request(url, data=body, method=method,  # noqa: S310  (local)
                                     headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return Answer(response.status, response.read(), response.headers)
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.read(), error.headers)


def wait_until(condition: Callable[[], bool], timeout: float = 60.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what or condition}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def app_server(env: dict[str, str], *, workers: int = 1) -> Iterator[str]:
    """One granian application server (as `lapor serve` starts it, without its task worker);
    yields its base URL once it answers."""
    port = free_port()
    process = subprocess.Popen(  # noqa: S603  (our own interpreter and module)
        [sys.executable, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(workers), "--blocking-threads", "4", "--no-ws",
         "lapor.config.wsgi:application"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: http(f"{base}/api/v1/openapi.json", timeout=5).status == 200,
                   what=f"the application server on {port}")
        yield base
    finally:
        _stop(process)


@contextmanager
def task_worker(env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    """One `lapor worker` (the task worker and its scheduler thread)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "lapor.cli", "worker", "--interval", "0.2"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        _stop(process)


def process_env(**extra: str) -> dict[str, str]:
    """Environment for a server process on the test database with production settings
    (the test process's fixed keys, the database task backend)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "lapor.config.settings",
           "DATABASE_URL": database_url(), "LAPOR_DB_CONN_MAX_AGE": "0"}
    env.pop("LAPOR_DEMO_MODE", None)
    env.update(extra)
    return env
