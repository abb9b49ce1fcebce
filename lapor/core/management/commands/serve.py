"""``lapor serve``: the web server (granian, WSGI) and a task worker side by side.

Both run as child processes; the first to exit (or SIGINT/SIGTERM) stops the other.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the web application with granian and run a task worker beside it."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default=os.environ.get("LAPOR_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=2, help="Web worker processes")
        parser.add_argument("--threads", type=int, default=8,
                            help="Blocking threads per web worker")
        parser.add_argument("--task-workers", type=int, default=1,
                            help="Task worker processes (0: none)")

    def handle(self, *args: Any, **options: Any) -> None:
        python = sys.executable
        web = [
            python, "-m", "granian", "--interface", "wsgi",
            "--host", options["host"], "--port", str(options["port"]),
            "--workers", str(options["workers"]),
            "--blocking-threads", str(options["threads"]),
            "--backpressure", str(options["threads"] * 4),
            "--no-ws",
            "lapor.config.wsgi:application",
        ]
        worker = [python, "-m", "lapor.cli", "worker"]
        # Hashed, compressed static files for WhiteNoise (settings.STATIC_ROOT); only changed
        # files are copied, so a restart costs a second.
        call_command("collectstatic", interactive=False, verbosity=0)
        children = [subprocess.Popen(web)]  # noqa: S603  (fixed argv, no shell)
        children += [
            subprocess.Popen(worker)  # noqa: S603
            for _ in range(options["task_workers"])
        ]
        self.stdout.write(
            f"Lapor is serving on http://{options['host']}:{options['port']}/ "
            f"({options['workers']} web workers, {options['task_workers']} task workers)"
        )

        def stop(signum: int, frame: FrameType | None) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for child in children:
                if child.poll() is None:
                    child.terminate()
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
        codes = [child.returncode for child in children]
        if any(code not in (0, -signal.SIGTERM, None) for code in codes):
            sys.exit(1)
