"""Heavy optional libraries load behind one lazy boundary each: a process that never trains a
routing model or sends a push (the web server) never imports scikit-learn or pywebpush.

scikit-learn costs ~770 ms to import; the boundaries are ``lapor.search.routing._learner``
(→ ``lapor.search.learning``) and ``WebPushSender.send`` (→ ``lapor.notifications.push_send``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# The embedded default in its own process whatever DATABASE_URL says: run once, in the SQLite
# pass.
pytestmark = pytest.mark.embedded

HEAVY = ("sklearn", "joblib", "threadpoolctl", "pywebpush", "py_vapid", "requests",
         "lapor.search.learning", "lapor.notifications.push_send")

# Django set up, every URL and the modules that hold a boundary imported, as a web process has.
PROBE = f"""
import json, sys
import django
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns
import lapor.channels.inbound, lapor.notifications.push, lapor.search.routing
print(json.dumps([name for name in {HEAVY!r} if name in sys.modules]))
"""


def test_the_web_process_never_imports_the_heavy_libraries(tmp_path: Path) -> None:
    env = {**os.environ, "LAPOR_DATA_DIR": str(tmp_path), "LAPOR_DEMO_MODE": "1",
           "DJANGO_SETTINGS_MODULE": "lapor.config.settings"}
    env.pop("DATABASE_URL", None)
    env.pop("LAPOR_SECRET_KEY", None)
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, check=True,  # noqa: S603
                          capture_output=True, text=True, timeout=120)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
