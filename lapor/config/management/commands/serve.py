"""``lapor serve``: the web server (granian, WSGI) and task workers side by side.

All run as child processes under a small supervisor: a child that exits (a worker killed, a
crash) is started again and the restart is logged, at most ``--max-restarts`` times per
child within a minute; past that the supervisor stops everything and exits 1, for the
system's service manager to take over. SIGINT/SIGTERM stops every child (the handler is in
place before the first child starts; further signals during the shutdown are ignored).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from argparse import ArgumentParser
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from lapor.channels.config import log_disabled
from lapor.core.env import site_url
from lapor.notifications.mailer import MailerUnusable, check_mailer, describe_mailer
from lapor.search.tasks import ROUTING_QUEUE

logger = logging.getLogger("lapor.serve")
RESTART_WINDOW_SECONDS = 60.0


@dataclass
class Child:
    """One supervised process and the times it was restarted (within the last minute)."""

    name: str
    argv: list[str]
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    restarts: deque[float] = field(default_factory=deque)

    def start(self) -> None:
        self.process = subprocess.Popen(self.argv, env=self.env)  # noqa: S603  (fixed argv)

    @property
    def pid(self) -> int:
        return self.process.pid if self.process is not None else 0

    def exit_code(self) -> int | None:
        return None if self.process is None else self.process.poll()


def _describe_exit(code: int) -> str:
    if code < 0:
        return f"killed by {signal.Signals(-code).name}"
    return f"exit status {code}"


def supervise(children: list[Child], *, max_restarts: int, poll: float = 0.5) -> None:
    """Watch ``children``: each exit is logged and the child started again. Returns only when
    a child exited more than ``max_restarts`` times within a minute (a signal interrupts it
    with KeyboardInterrupt)."""
    while True:
        for child in children:
            code = child.exit_code()
            if code is None:
                continue
            now = time.monotonic()
            while child.restarts and now - child.restarts[0] > RESTART_WINDOW_SECONDS:
                child.restarts.popleft()
            if len(child.restarts) >= max_restarts:
                logger.error("%s (pid %d) stopped: %s, its %d. exit within a minute; "
                             "stopping the server (limit --max-restarts %d)", child.name,
                             child.pid, _describe_exit(code), len(child.restarts) + 1,
                             max_restarts)
                return
            child.restarts.append(now)
            old = child.pid
            child.start()
            logger.warning("%s (pid %d) stopped: %s; restarted as pid %d (%d of %d restarts "
                           "allowed within a minute)", child.name, old, _describe_exit(code),
                           child.pid, len(child.restarts), max_restarts)
        time.sleep(poll)


STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def _ignore_stop_signals() -> None:
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    # The first signal stops the server; any further one (a second Ctrl-C, the service
    # manager's repeated SIGTERM) must not interrupt the shutdown, which kills the children.
    _ignore_stop_signals()
    raise KeyboardInterrupt


def run(children: list[Child], *, max_restarts: int, started: Callable[[], None] = lambda: None,
        poll: float = 0.5) -> bool:
    """Start ``children`` and supervise them until SIGTERM/SIGINT (returns True) or a child
    exits too often (returns False); every child is stopped either way. The signal handler
    is installed before the first child starts, so no signal can leave one orphaned; the
    previous handlers are back on return."""
    previous = {signum: signal.getsignal(signum) for signum in STOP_SIGNALS}
    try:
        for signum in STOP_SIGNALS:
            signal.signal(signum, _interrupt)
        for child in children:
            child.start()
        started()
        supervise(children, max_restarts=max_restarts, poll=poll)
    except KeyboardInterrupt:
        return True
    finally:
        _stop(children)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return False


def _stop(children: list[Child]) -> None:
    _ignore_stop_signals()  # a signal now would leave the children running
    running = [c.process for c in children if c.process is not None and c.process.poll() is None]
    for process in running:
        process.terminate()
    for process in running:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def web_environment(env: dict[str, str], *, threads: int) -> dict[str, str]:
    """The web workers' environment: ``env`` with their connection pool sized (PostgreSQL,
    settings._pool_options): one connection per blocking thread, all kept open, unless the
    configuration sets ``LAPOR_DB_POOL_SIZE``/``LAPOR_DB_POOL_MIN_SIZE`` itself. The task
    workers keep the settings' defaults."""
    size = env.get("LAPOR_DB_POOL_SIZE") or str(threads)
    return {**env, "LAPOR_DB_POOL_SIZE": size,
            "LAPOR_DB_POOL_MIN_SIZE": env.get("LAPOR_DB_POOL_MIN_SIZE") or size}


class Command(BaseCommand):
    help = "Serve the web application with granian and run task workers beside it."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default=os.environ.get("LAPOR_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=2, help="Web worker processes")
        # 4, not 8: at 1 M reports 4 threads gave lower tail latency on two cores for the
        # lookups and searches and the same submission rate (docs/performance.md "Four
        # threads a web worker").
        parser.add_argument("--threads", type=int, default=4,
                            help="Blocking threads per web worker (and connections in its pool)")
        parser.add_argument("--task-workers", type=int, default=1,
                            help="Task worker processes (0: none)")
        parser.add_argument("--routing-workers", type=int, default=None,
                            help="Routing workers (the nightly classifier retraining, at low "
                                 "CPU priority; default: 1 when there are task workers, else 0)")
        parser.add_argument("--max-restarts", type=int,
                            default=settings.LAPOR_SERVE_MAX_RESTARTS,
                            help="Restarts allowed per child within a minute before the "
                                 "server gives up (LAPOR_SERVE_MAX_RESTARTS)")

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        try:
            check_mailer()
        except MailerUnusable as exc:
            raise CommandError(str(exc)) from exc
        python = sys.executable
        # The children serve (and link to) this address unless LAPOR_SITE_URL says otherwise.
        env = {**os.environ, "LAPOR_HOST": host, "PORT": str(port)}
        web_env = web_environment(env, threads=options["threads"])
        web = [
            python, "-m", "granian", "--interface", "wsgi",
            "--host", host, "--port", str(port),
            "--workers", str(options["workers"]),
            "--blocking-threads", str(options["threads"]),
            "--backpressure", str(options["threads"] * 4),
            "--respawn-failed-workers",
            "--no-ws",
            "lapor.config.wsgi:application",
        ]
        worker = [python, "-m", "lapor.cli", "worker", "--from-serve"]
        # The nightly retraining runs in a process of its own (nice), never in a task worker.
        routing = [*worker, "--queue-name", ROUTING_QUEUE]
        routing_workers = options["routing_workers"]
        if routing_workers is None:
            routing_workers = 1 if options["task_workers"] > 0 else 0
        # Hashed, compressed static files for WhiteNoise (settings.STATIC_ROOT); only changed
        # files are copied, so a restart costs a second.
        call_command("collectstatic", interactive=False, verbosity=0)
        children = [Child("web server", web, web_env)]
        children += [Child(f"task worker {n + 1}", worker, env)
                     for n in range(options["task_workers"])]
        children += [Child(f"routing worker {n + 1}", routing, env)
                     for n in range(routing_workers)]

        def started() -> None:
            log_disabled()
            self.stdout.write(
                f"Lapor is serving on http://{host}:{port}/ "
                f"({options['workers']} web workers, {options['task_workers']} task workers)\n"
                f"Links in messages point to {site_url(env)}\n"
                f"{describe_mailer()}"
            )
            self.stdout.flush()

        if not run(children, max_restarts=options["max_restarts"], started=started):
            sys.exit(1)
