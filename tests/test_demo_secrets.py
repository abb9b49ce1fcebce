"""The embedded demo's secrets (lapor.core.secretfile.demo_file): created once, mode 0600, and
the same for every process that starts on a fresh data directory at the same moment (the web
server and a worker): a key one process used and another overwrote would leave data encrypted
with a key nobody has."""

from __future__ import annotations

import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lapor.core.secretfile import demo_file

# The embedded demo's key files, no database: run once, in the SQLite pass.
pytestmark = pytest.mark.one_pass

# Each child reads the key through the real settings-time functions, all at once.
CHILD = """
import sys, time
from pathlib import Path
from lapor.core.secretfile import demo_secret_key
from lapor.notifications.vapid import vapid_private_key
from lapor.privacy.keyfile import blind_index_key, encryption_keys
data = Path(sys.argv[1])
while time.time() < float(sys.argv[2]):
    pass
print(demo_secret_key(data), encryption_keys(None, demo=True, data_dir=data)[0],
      blind_index_key(None, demo=True, data_dir=data),
      vapid_private_key(None, demo=True, data_dir=data))
"""


def test_processes_starting_together_agree_on_every_demo_key(tmp_path: Path) -> None:
    for round_ in range(3):
        data = tmp_path / f"data{round_}"
        start = str(time.time() + 1.5)
        children = [subprocess.Popen([sys.executable, "-c", CHILD, str(data), start],  # noqa: S603
                                     stdout=subprocess.PIPE, text=True) for _ in range(6)]
        seen = {child.communicate(timeout=60)[0].strip() for child in children}
        assert all(child.returncode == 0 for child in children)
        assert len(seen) == 1, seen
        keys = seen.pop().split()
        assert len(keys) == 4
        assert all(keys)
        stored = {name: (data / name).read_text() for name in (
            "secret_key", "encryption_keys", "blind_index_key", "vapid_private_key")}
        assert stored["secret_key"] == keys[0]
        assert stored["encryption_keys"] == keys[1]
        for name in stored:
            assert stat.S_IMODE((data / name).stat().st_mode) == 0o600
        assert [p.name for p in data.iterdir() if p.name.startswith(".")] == []


def test_an_existing_file_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    assert demo_file(path, lambda: "first") == "first"
    assert demo_file(path, lambda: "second") == "first"
    assert path.read_text() == "first"
